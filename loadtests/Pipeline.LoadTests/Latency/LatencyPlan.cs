namespace Pipeline.LoadTests.Latency;

/// <summary>What <c>pipeline-load alert-latency</c> does: where it sends probes, where it listens, how many and how often.</summary>
internal sealed class LatencyPlan
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>The webhook receiver's prefix, e.g. <c>http://127.0.0.1:5499/</c> (the channel's <c>Url</c>).</summary>
    public required string Listen { get; init; }

    public required int Probes { get; init; }

    public required TimeSpan Interval { get; init; }

    /// <summary>Background events per second on a connection of their own (0: none), events no rule matches.</summary>
    public required int BackgroundRate { get; init; }

    /// <summary>How long to wait for the last probe's notification.</summary>
    public required TimeSpan Timeout { get; init; }
}
