using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that lets a test act at the exact moment the code under test
/// reads the clock (<see cref="BeforeUtcNow"/> runs on the caller's thread, before the time is read)
/// and tells it when a timer was created (so a retry delay can be advanced without racing it).
/// </summary>
internal sealed class HookedTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();
    private int _calls;

    public HookedTimeProvider(DateTimeOffset start)
    {
        Fake = new FakeTimeProvider(start);
    }

    public FakeTimeProvider Fake { get; }

    /// <summary>Runs with the 1-based number of the <see cref="GetUtcNow"/> call.</summary>
    public Action<int>? BeforeUtcNow { get; set; }

    public int UtcNowCalls => Volatile.Read(ref _calls);

    public override DateTimeOffset GetUtcNow()
    {
        var call = Interlocked.Increment(ref _calls);
        BeforeUtcNow?.Invoke(call);
        return Fake.GetUtcNow();
    }

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until the code under test created its next timer, and returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync() =>
        await _timers.Reader.ReadAsync().AsTask().WaitAsync(StepGate.Timeout).ConfigureAwait(false);
}
