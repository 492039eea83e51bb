using System.Net;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// One address's recent failures for <see cref="AuthFailureLimiter"/>: the times of the last
/// <c>MaxFailures</c> (a ring), and until when it is blocked.
/// </summary>
internal sealed class FailureRecord(IPAddress address, int maxFailures)
{
    private readonly long[] _times = new long[maxFailures];
    private int _next;
    private int _count;

    public IPAddress Address { get; } = address;

    /// <summary>UTC ticks until which the address is rejected; 0 when it is not blocked.</summary>
    public long BlockedUntil { get; private set; }

    /// <summary>Records a failure at <paramref name="now"/>; true when it is the MaxFailures-th within <paramref name="window"/> ticks.</summary>
    public bool Add(long now, long window)
    {
        _times[_next] = now;
        _next = (_next + 1) % _times.Length;
        _count = Math.Min(_count + 1, _times.Length);
        // Full ring: the slot written next holds the oldest of the last MaxFailures.
        return _count == _times.Length && now - _times[_next] <= window;
    }

    public void Block(long until)
    {
        BlockedUntil = until;
        _count = 0;
    }

    /// <summary>After a block ran out: a fresh start, not one failure away from the next block.</summary>
    public void Unblock()
    {
        BlockedUntil = 0;
        _count = 0;
    }
}
