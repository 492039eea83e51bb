namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>Thrown by a <see cref="SkippableFactAttribute"/> test to report itself skipped, with the reason.</summary>
public sealed class SkipException(string reason) : Exception(reason);
