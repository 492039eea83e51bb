using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Hosting;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// The presence clock: each tick it sends the server's heartbeat on WebSocket sessions that are due one (every
/// <see cref="RobotsOptions.HeartbeatInterval"/>), closes sessions with no traffic for 1.5 × that interval (reason
/// <c>heartbeat_timeout</c>, so the robot goes offline), and saves session numbers when they changed. Traffic is
/// the connection's byte count moving: anything the robot sends keeps it alive, at no cost per event.
/// </summary>
internal sealed partial class PresenceMonitor : ILifecycleComponent, IDisposable
{
    private static readonly byte[] Heartbeat = "{\"type\":\"heartbeat\"}"u8.ToArray();
    private readonly RobotRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicLoop _loop;

    public PresenceMonitor(RobotRegistry registry, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        _time = time;
        _logger = logger;
        _loop = new PeriodicLoop(TickInterval, time, _ =>
        {
            Tick();
            return Task.CompletedTask;
        }, ex => TickFailed(_logger, ex));
    }

    /// <summary>How often it looks: often enough that offline is noticed within a second or a quarter interval.</summary>
    public TimeSpan TickInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, _registry.Options.HeartbeatInterval.Ticks / 4));

    /// <summary>Stops last, so the last session numbers (every robot going offline at shutdown) are saved.</summary>
    public LifecycleStage Stage => LifecycleStage.State;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loop.StopAsync().ConfigureAwait(false);
        _registry.SaveIfChanged();
    }

    public void Dispose() => _loop.Dispose();

    /// <summary>One look at every open session (the loop's work; tests call it with their own clock).</summary>
    public void Tick()
    {
        var now = _time.GetUtcNow();
        var options = _registry.Options;
        foreach (var session in _registry.OpenSessions)
        {
            var bytes = session.Source.Bytes;
            if (bytes != session.LastBytes)
            {
                session.LastBytes = bytes;
                session.LastTrafficAt = now;
                session.Robot?.Seen(now);
            }
            else if (now - session.LastTrafficAt >= options.OfflineAfter && session.ClosedBy is null)
            {
                SilentSession(_logger, session.Source.Protocol, session.Source.Id, session.Source.RobotId ?? "", now - session.LastTrafficAt);
                session.CloseBy("heartbeat_timeout");
                continue;
            }

            if (session.Link.CanSend && now >= session.NextHeartbeatAt)
            {
                session.NextHeartbeatAt = now + options.HeartbeatInterval;
                _ = SendHeartbeatAsync(session, options.HeartbeatInterval);
            }
        }

        _registry.SaveIfChanged();
    }

    private static async Task SendHeartbeatAsync(RobotSession session, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await session.Link.SendAsync(Heartbeat, timeout.Token).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Information, "{Protocol} connection {ConnectionId} (robot '{RobotId}') sent nothing for {Silence}: closing it (heartbeat_timeout).")]
    private static partial void SilentSession(ILogger logger, string protocol, long connectionId, string robotId, TimeSpan silence);

    [LoggerMessage(2, LogLevel.Error, "Presence tick failed; it runs again at the next tick.")]
    private static partial void TickFailed(ILogger logger, Exception exception);
}
