namespace Pipeline.Storage.Alerting.Internal;

/// <summary>At most N messages in any minute: remembers the last N send times, so the next may go one minute after the oldest of them.</summary>
internal sealed class RateWindow(int perMinute)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Queue<DateTimeOffset> _sent = new(Math.Max(0, perMinute));

    /// <summary>When the next message may go (now or earlier: at once).</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset now)
    {
        if (perMinute == 0)
        {
            return now;
        }

        while (_sent.Count > 0 && _sent.Peek() + Minute <= now)
        {
            _sent.Dequeue();
        }

        return _sent.Count < perMinute ? now : _sent.Peek() + Minute;
    }

    public void Record(DateTimeOffset sentAt)
    {
        if (perMinute == 0)
        {
            return;
        }

        if (_sent.Count == perMinute)
        {
            _sent.Dequeue();
        }

        _sent.Enqueue(sentAt);
    }
}
