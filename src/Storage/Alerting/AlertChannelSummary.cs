namespace Pipeline.Storage.Alerting;

/// <summary>What one channel did since start: messages sent and failed (after their last attempt), notices dropped for any reason.</summary>
public sealed record AlertChannelSummary(string Channel, string Destination, long Sent, long Failed, long Dropped);
