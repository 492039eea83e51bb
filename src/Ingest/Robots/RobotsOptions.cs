using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// Robot sessions (<c>Pipeline:Robots</c>): presence, lifecycle events, commands and the last-known state
/// the service keeps per robot (DESIGN, "Robots").
/// </summary>
public sealed class RobotsOptions : IValidatedOptions
{
    /// <summary>The longest deadline a command may ask for (DESIGN: at most 5 min).</summary>
    public static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The server sends a heartbeat on every WebSocket session this often; a robot with no traffic for 1.5 × this is
    /// offline (its connections are closed with reason <c>heartbeat_timeout</c>). Default 30 s.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Connection, security and presence events go into the stream (files, ClickHouse, alert rules). Default true.</summary>
    public bool LifecycleEvents { get; set; } = true;

    /// <summary>A command's deadline when its request names none. Default 10 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Commands one robot may have in flight; one more is answered 429. Default 8.</summary>
    public int MaxCommandsInFlight { get; set; } = 8;

    /// <summary>On a new WebSocket session the server asks for <c>get_status</c>, <c>get_config</c> and <c>get_logs</c>. Default true.</summary>
    public bool AskOnConnect { get; set; } = true;

    /// <summary>How long a status answer (or <c>status_update</c> event) is fresh. Default 60 s.</summary>
    public TimeSpan StatusTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a config answer is fresh. Default 5 min.</summary>
    public TimeSpan ConfigTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a logs answer is fresh. Default 30 min.</summary>
    public TimeSpan LogsTtl { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The last events the pipeline saw per robot, for <c>/api/robots/{id}/logs?source=pipeline</c>; 0: none kept. Default 100.</summary>
    public int RecentEvents { get; set; } = 100;

    /// <summary>
    /// Robots the service keeps state for; past it, the longest-offline hundredth is forgotten (counted). Each keeps
    /// up to 64 KiB of recent events, so the bound is also one on memory. Default 10,000.
    /// </summary>
    public int MaxRobots { get; set; } = 10_000;

    /// <summary>The time after which a robot with no traffic is offline: 1.5 × <see cref="HeartbeatInterval"/>.</summary>
    public TimeSpan OfflineAfter => HeartbeatInterval * 1.5;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(HeartbeatInterval >= TimeSpan.FromMilliseconds(100), nameof(HeartbeatInterval), $"must be at least 00:00:00.1, e.g. 00:00:30 (got {HeartbeatInterval}).");
        errors.Check(CommandTimeout > TimeSpan.Zero && CommandTimeout <= MaxCommandTimeout, nameof(CommandTimeout),
            $"must be positive and at most {MaxCommandTimeout} (got {CommandTimeout}).");
        errors.Check(MaxCommandsInFlight is >= 1 and <= 1000, nameof(MaxCommandsInFlight), $"must be 1 to 1000 (got {MaxCommandsInFlight}).");
        errors.Check(StatusTtl > TimeSpan.Zero, nameof(StatusTtl), $"must be positive, e.g. 00:01:00 (got {StatusTtl}).");
        errors.Check(ConfigTtl > TimeSpan.Zero, nameof(ConfigTtl), $"must be positive, e.g. 00:05:00 (got {ConfigTtl}).");
        errors.Check(LogsTtl > TimeSpan.Zero, nameof(LogsTtl), $"must be positive, e.g. 00:30:00 (got {LogsTtl}).");
        errors.Check(RecentEvents is >= 0 and <= 10_000, nameof(RecentEvents), $"must be 0 to 10000 (got {RecentEvents}).");
        errors.Check(MaxRobots is >= 1 and <= 1_000_000, nameof(MaxRobots), $"must be 1 to 1000000 (got {MaxRobots}).");
    }
}
