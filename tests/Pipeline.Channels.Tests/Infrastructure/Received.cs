namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>One request a <see cref="HttpReceiver"/> got.</summary>
public sealed record Received(string Path, string ContentType, string Body);
