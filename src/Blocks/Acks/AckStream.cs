namespace Pipeline.Blocks.Acks;

/// <summary>
/// One robot boot's numbered events, <c>(robot_id, boot_id)</c>: which numbers were taken into the graph, which are
/// durable, and which connection feeds it now. Numbers are taken in order, so a re-send (a number at or below the
/// highest taken) is recognised with one comparison; durable ranges may complete out of order (parallel sinks, empty
/// batches) and the acknowledgement is the end of the contiguous durable prefix.
/// </summary>
/// <remarks>
/// A batch that will not reach the disk takes its numbers back (<see cref="OnLost"/>): when it was the last one taken,
/// the next connection simply goes on from before it; otherwise the connection that feeds the stream is closed so the
/// robot re-sends from its last ack, and until the stream is past every number still in flight each number is checked
/// against those ranges, so nothing is written twice.
/// </remarks>
public sealed class AckStream
{
    private readonly Lock _gate = new();
    private readonly List<AckToken> _pending = [];
    private readonly List<(long From, long To)> _islands = [];
    private IAckOwner? _owner;
    private long _accepted;
    private long _durable;
    private long _highestClaimed;
    private long _lastActivity;
    private bool _ackDue;

    private readonly Action? _onLost;

    /// <param name="onLost">Told when a batch of this stream did not reach the disk (a counter).</param>
    public AckStream(string robotId, string bootId, long durable, long lastActivity, Action? onLost = null)
    {
        _onLost = onLost;
        RobotId = robotId;
        BootId = bootId;
        _accepted = _durable = _highestClaimed = durable;
        _lastActivity = lastActivity;
        AckPrefix = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"ack\",\"boot_id\":" + System.Text.Json.JsonSerializer.Serialize(bootId) + ",\"seq\":");
    }

    /// <summary>The furthest a seq may jump ahead of the highest taken (a gap of more is refused as out of range).</summary>
    public const long MaxSeqJump = 100_000_000;

    public string RobotId { get; }

    public string BootId { get; }

    /// <summary><c>{"type":"ack","boot_id":"…","seq":</c>, made once.</summary>
    public byte[] AckPrefix { get; }

    /// <summary>The highest number such that it and every one below it is durable: what the robot is acknowledged.</summary>
    public long Durable => Volatile.Read(ref _durable);

    /// <summary>The highest number taken into the graph.</summary>
    public long Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted;
            }
        }
    }

    /// <summary>When a line was last taken or a connection claimed the stream (Unix ms), for retention and eviction.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>True while a connection feeds the stream (such a stream is never evicted).</summary>
    public bool HasOwner
    {
        get
        {
            lock (_gate)
            {
                return _owner is not null;
            }
        }
    }

    /// <summary>Makes <paramref name="owner"/> the connection that feeds the stream; returns the one it replaces, if any.</summary>
    public IAckOwner? Claim(IAckOwner owner, long now)
    {
        lock (_gate)
        {
            var previous = _owner;
            _owner = owner;
            _lastActivity = now;
            return ReferenceEquals(previous, owner) ? null : previous;
        }
    }

    /// <summary>The connection ended: it no longer feeds the stream (unless another took over already).</summary>
    public void Release(IAckOwner owner)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_owner, owner))
            {
                _owner = null;
            }
        }
    }

    /// <summary>
    /// Decides about the line numbered <paramref name="seq"/> from <paramref name="owner"/>. A line that is taken joins
    /// <paramref name="token"/> (made when null: the batch's first numbered line). <paramref name="gapFrom"/> is the
    /// first skipped number when the verdict is <see cref="AckVerdict.Gap"/>.
    /// </summary>
    public AckVerdict Accept(IAckOwner owner, long seq, ref AckToken? token, long timestamp, out long gapFrom)
    {
        gapFrom = 0;
        lock (_gate)
        {
            if (!ReferenceEquals(_owner, owner))
            {
                return AckVerdict.NotOwner;
            }

            if (seq <= _accepted)
            {
                return AckVerdict.Duplicate;
            }

            if (seq - _accepted > MaxSeqJump)
            {
                return AckVerdict.OutOfRange;
            }

            var rewound = _accepted < _highestClaimed;
            if (rewound && IsClaimed(seq))
            {
                // Another batch holds it (in flight, or durable already): a re-send. What follows starts after it.
                _accepted = seq;
                return AckVerdict.Duplicate;
            }

            var from = _accepted + 1;
            var verdict = AckVerdict.Take;
            if (seq > from && !rewound)
            {
                verdict = AckVerdict.Gap;
                gapFrom = from;
            }

            if (token is null)
            {
                token = new AckToken(this, owner, from, seq, timestamp);
                _pending.Add(token);
            }
            else
            {
                token.Add(from, seq);
            }

            _accepted = seq;
            _highestClaimed = Math.Max(_highestClaimed, seq);
            return verdict;
        }
    }

    /// <summary>Notes activity for retention (once per batch, not per line).</summary>
    public void Touch(long now) => Volatile.Write(ref _lastActivity, now);

    /// <summary>
    /// Takes the acknowledgement that is due, if the durable prefix moved since the last one: the number and the
    /// connection to send it on. Called after the fsync that made tokens durable, once per stream.
    /// </summary>
    public bool TakeDueAck(out long seq, out IAckOwner? owner)
    {
        lock (_gate)
        {
            seq = _durable;
            owner = _owner;
            var due = _ackDue;
            _ackDue = false;
            return due;
        }
    }

    /// <summary>Raises the durable prefix to at least <paramref name="durable"/> (recovery from the files, at start).</summary>
    public void Recover(long durable)
    {
        lock (_gate)
        {
            if (durable > _durable)
            {
                _durable = durable;
                _accepted = Math.Max(_accepted, durable);
                _highestClaimed = Math.Max(_highestClaimed, durable);
            }
        }
    }

    internal bool OnDurable(AckToken token)
    {
        lock (_gate)
        {
            _pending.Remove(token);
            foreach (var (from, to) in token.Runs)
            {
                AddIsland(from, to);
            }

            var before = _durable;
            while (_islands.Count > 0 && _islands[0].From <= _durable + 1)
            {
                _durable = Math.Max(_durable, _islands[0].To);
                _islands.RemoveAt(0);
            }

            if (_durable == before || _ackDue)
            {
                return false;
            }

            _ackDue = true;
            return true;
        }
    }

    internal void OnLost(AckToken token)
    {
        _onLost?.Invoke();
        IAckOwner? close = null;
        lock (_gate)
        {
            _pending.Remove(token);
            if (token.First <= _accepted)
            {
                var tail = token.Last >= _accepted;
                _accepted = token.First - 1;
                if (!tail || ReferenceEquals(_owner, token.Owner))
                {
                    // Later numbers are in flight (or the robot is still sending after these): it must re-send from its last ack.
                    close = _owner;
                    _owner = null;
                }
            }

            // What is still held above the numbers taken back: re-sends of those stay duplicates.
            _highestClaimed = Math.Max(_accepted, _durable);
            foreach (var pending in _pending)
            {
                _highestClaimed = Math.Max(_highestClaimed, pending.Last);
            }

            foreach (var island in _islands)
            {
                _highestClaimed = Math.Max(_highestClaimed, island.To);
            }
        }

        close?.Resend("resend");
    }

    private bool IsClaimed(long seq)
    {
        if (seq <= _durable)
        {
            return true;
        }

        foreach (var island in _islands)
        {
            if (seq >= island.From && seq <= island.To)
            {
                return true;
            }
        }

        foreach (var pending in _pending)
        {
            if (pending.Holds(seq))
            {
                return true;
            }
        }

        return false;
    }

    private void AddIsland(long from, long to)
    {
        var index = 0;
        while (index < _islands.Count && _islands[index].From < from)
        {
            index++;
        }

        _islands.Insert(index, (from, to));
        // Merge ranges that touch or overlap (the list holds the few batches that completed out of order).
        for (var i = 0; i + 1 < _islands.Count;)
        {
            if (_islands[i + 1].From <= _islands[i].To + 1)
            {
                _islands[i] = (_islands[i].From, Math.Max(_islands[i].To, _islands[i + 1].To));
                _islands.RemoveAt(i + 1);
            }
            else
            {
                i++;
            }
        }
    }
}
