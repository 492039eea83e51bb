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

    internal AckToken(AckStream stream, IAckOwner owner, long first, long createdTimestamp)
    {
        Stream = stream;
        Owner = owner;
        First = first;
        Last = first;
        CreatedTimestamp = createdTimestamp;
    }

    public AckStream Stream { get; }

    /// <summary>The connection that took these lines.</summary>
    internal IAckOwner Owner { get; }

    public long First { get; }

    /// <summary>The highest number taken into the batch; grows while the framer fills it (under the stream's lock).</summary>
    public long Last { get; internal set; }

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
