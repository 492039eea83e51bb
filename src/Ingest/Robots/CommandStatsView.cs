namespace Pipeline.Ingest.Robots;

/// <summary>Command counts and average times (milliseconds; null before the first) as the API shows them.</summary>
internal sealed record CommandStatsView(long Sent, long Succeeded, long Failed, long TimedOut, long SessionEnded, double? AvgSendMs, double? AvgExecuteMs);
