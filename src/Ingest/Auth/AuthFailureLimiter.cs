using System.Net;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// Failed authentications per remote address: <see cref="AuthOptions.MaxFailures"/> within
/// <see cref="AuthOptions.FailureWindow"/> (sliding) block the address for <see cref="AuthOptions.BlockFor"/>,
/// whatever it sends meanwhile. Shared by the robot front ends and the ops API, so a guesser cannot switch
/// protocols to get more tries. Thread-safe; memory is bounded: at most <see cref="DefaultCapacity"/>
/// addresses are tracked, and the one whose last failure is oldest makes room for a new one.
/// </summary>
/// <remarks>
/// Keyed on the exact address (IPv4-mapped IPv6 counts as its IPv4 address). Robots behind one NAT share an
/// address: one of them retrying with a bad token blocks its neighbours too, which is the price of stopping
/// a guesser there. Callers count the failures in <c>pipeline_auth_failures_total</c>; this only decides.
/// </remarks>
public sealed class AuthFailureLimiter
{
    /// <summary>Addresses tracked at most (about 100 bytes each, plus 8 per <see cref="AuthOptions.MaxFailures"/>).</summary>
    public const int DefaultCapacity = 100_000;

    private readonly TimeProvider _time;
    private readonly int _maxFailures;
    private readonly long _window;
    private readonly long _blockFor;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, LinkedListNode<FailureRecord>> _records = [];
    private readonly LinkedList<FailureRecord> _byLastFailure = new(); // oldest first
    private int _tracked;

    public AuthFailureLimiter(AuthOptions options, TimeProvider time)
        : this(options, time, DefaultCapacity)
    {
    }

    internal AuthFailureLimiter(AuthOptions options, TimeProvider time, int capacity)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FailureWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BlockFor, TimeSpan.Zero);
        _time = time;
        _maxFailures = options.MaxFailures;
        _window = options.FailureWindow.Ticks;
        _blockFor = options.BlockFor.Ticks;
        _capacity = capacity;
    }

    /// <summary>Addresses with recent failures or a block (for tests and diagnostics).</summary>
    public int TrackedAddresses => Volatile.Read(ref _tracked);

    /// <summary>Whether <paramref name="remote"/> is blocked now: reject it without looking at what it sent.</summary>
    public bool IsBlocked(IPAddress remote) => RetryAfter(remote) > TimeSpan.Zero;

    /// <summary>How long <paramref name="remote"/> stays blocked (for a <c>Retry-After</c>); zero when it is not.</summary>
    public TimeSpan RetryAfter(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (Volatile.Read(ref _tracked) == 0)
        {
            return TimeSpan.Zero; // the usual case: no one failed lately, no lock taken
        }

        var now = Now();
        lock (_gate)
        {
            if (!_records.TryGetValue(Key(remote), out var node) || node.Value.BlockedUntil == 0)
            {
                return TimeSpan.Zero;
            }

            if (node.Value.BlockedUntil > now)
            {
                return TimeSpan.FromTicks(node.Value.BlockedUntil - now);
            }

            node.Value.Unblock();
            return TimeSpan.Zero;
        }
    }

    /// <summary>A failed authentication from <paramref name="remote"/>; the one that reaches the limit starts the block.</summary>
    public void Failed(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var key = Key(remote);
        var now = Now();
        lock (_gate)
        {
            if (_records.TryGetValue(key, out var node))
            {
                _byLastFailure.Remove(node);
                _byLastFailure.AddLast(node);
            }
            else
            {
                if (_records.Count >= _capacity)
                {
                    _records.Remove(_byLastFailure.First!.Value.Address);
                    _byLastFailure.RemoveFirst();
                }

                node = _byLastFailure.AddLast(new FailureRecord(key, _maxFailures));
                _records.Add(key, node);
                Volatile.Write(ref _tracked, _records.Count);
            }

            var record = node.Value;
            if (record.BlockedUntil > now)
            {
                return; // already blocked: tries meanwhile do not extend it
            }

            if (record.BlockedUntil != 0)
            {
                record.Unblock();
            }

            if (record.Add(now, _window))
            {
                record.Block(now + _blockFor);
            }
        }
    }

    /// <summary>A successful authentication from <paramref name="remote"/>: its failures so far are forgotten (a block is not lifted).</summary>
    public void Succeeded(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (Volatile.Read(ref _tracked) == 0)
        {
            return;
        }

        lock (_gate)
        {
            var key = Key(remote);
            if (_records.TryGetValue(key, out var node) && node.Value.BlockedUntil <= Now())
            {
                _records.Remove(key);
                _byLastFailure.Remove(node);
                Volatile.Write(ref _tracked, _records.Count);
            }
        }
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private static IPAddress Key(IPAddress remote) => remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
}
