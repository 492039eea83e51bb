namespace Pipeline.Blocks.Acks;

/// <summary>
/// The numbered lines of one batch, <c>First..Last</c> of one <see cref="AckStream"/> (gaps before them included), on
/// their way to the disk: made by the framer, carried by <see cref="Events.EventBatch.Ack"/>, claimed by the sink that
/// makes events durable (the files sink), and resolved once — durable after the fsync that covers its frame, or lost
/// (never claimed, or the write was given up), which makes the robot re-send.
/// </summary>
public sealed class AckToken
{
    private const int Open = 0;
    private const int Claimed = 1;
    private const int Resolved = 2;
    private int _state;

    // Normally one run, First..Last. After a loss below numbers still in flight (AckStream's remark), a batch may skip
    // numbers another batch holds: then it has several runs, and only those become durable with it.
    private List<(long From, long To)>? _earlier;
    private long _runFrom;

    internal AckToken(AckStream stream, IAckOwner owner, long first, long seq, long createdTimestamp)
    {
        Stream = stream;
        Owner = owner;
        First = first;
        _runFrom = first;
        Last = seq;
        CreatedTimestamp = createdTimestamp;
    }

    public AckStream Stream { get; }

    /// <summary>The connection that took these lines.</summary>
    internal IAckOwner Owner { get; }

    public long First { get; }

    /// <summary>The highest number taken into the batch; grows while the framer fills it (under the stream's lock).</summary>
    public long Last { get; private set; }

    /// <summary>The runs of numbers the batch holds, in order (one unless numbers in between belong to another batch).</summary>
    internal IEnumerable<(long From, long To)> Runs
    {
        get
        {
            foreach (var run in _earlier ?? [])
            {
                yield return run;
            }

            yield return (_runFrom, Last);
        }
    }

    /// <summary>Takes <paramref name="from"/>..<paramref name="seq"/> (the numbers before <paramref name="seq"/> skipped ones). Under the stream's lock.</summary>
    internal void Add(long from, long seq)
    {
        if (from != Last + 1)
        {
            (_earlier ??= []).Add((_runFrom, Last));
            _runFrom = from;
        }

        Last = seq;
    }

    /// <summary>True when <paramref name="seq"/> is one of this batch's numbers.</summary>
    internal bool Holds(long seq)
    {
        if (seq >= _runFrom && seq <= Last)
        {
            return true;
        }

        foreach (var (from, to) in _earlier ?? [])
        {
            if (seq >= from && seq <= to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>When the first line was taken (<see cref="TimeProvider.GetTimestamp"/>), for the ack delay.</summary>
    public long CreatedTimestamp { get; }

    /// <summary>True once a durable sink claimed it: from then on only that sink resolves it.</summary>
    public bool IsClaimed => Volatile.Read(ref _state) != Open;

    /// <summary>The durable sink takes the token over; false when another one did (or it was resolved).</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Open) == Open;

    /// <summary>Everything up to <see cref="Last"/> of this batch is on disk. True when the stream's acknowledgement moved.</summary>
    public bool MarkDurable() => Interlocked.Exchange(ref _state, Resolved) != Resolved && Stream.OnDurable(this);

    /// <summary>The batch will not reach the disk: the stream takes the numbers back and its robot re-sends them.</summary>
    public void MarkLost()
    {
        if (Interlocked.Exchange(ref _state, Resolved) != Resolved)
        {
            Stream.OnLost(this);
        }
    }
}
