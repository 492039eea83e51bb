using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test each timer the code under test sets (a
/// grouping window, a rate-limit wait, a retry delay, a request timeout), so the test moves time
/// exactly when the code waits on it — no sleeps, no guessing whether the wait has started.
/// </summary>
public sealed class WatchedTime : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<(DateTimeOffset Due, TimeSpan Delay)> _timers = Channel.CreateUnbounded<(DateTimeOffset, TimeSpan)>();

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Writer.TryWrite((_fake.GetUtcNow() + dueTime, dueTime));
        }

        return timer;
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    /// <summary>Moves the clock to <paramref name="due"/> unless it is there already.</summary>
    public void AdvanceTo(DateTimeOffset due)
    {
        var now = _fake.GetUtcNow();
        if (due > now)
        {
            _fake.Advance(due - now);
        }
    }

    /// <summary>The next timer set (from the start, in order) whose delay <paramref name="match"/> accepts; when it is due.</summary>
    public async Task<DateTimeOffset> TimerAsync(Func<TimeSpan, bool> match, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var (due, delay) = await _timers.Reader.ReadAsync(cancel.Token);
            if (match(delay))
            {
                return due;
            }
        }
    }

    /// <summary>Waits for a timer of exactly <paramref name="delay"/> and moves the clock to when it is due.</summary>
    public async Task FireAsync(TimeSpan delay) => AdvanceTo(await TimerAsync(d => d == delay));
}
