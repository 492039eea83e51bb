namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>One event as it reached the end of the graph, copied out of its pooled batch.</summary>
public sealed record RecordedEvent(string Protocol, long ConnectionId, string RobotId, string Msg);
