namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// The newest <c>limit</c> matching events (ORDER BY ts DESC LIMIT n): a min-heap on the event time, so a line is
/// copied only when it enters the top; once full, the scan needs nothing older than the heap's oldest.
/// </summary>
internal sealed class NewestEvents : IEventVisitor
{
    private readonly EventFilter _filter;
    private readonly int _limit;
    private readonly PriorityQueue<byte[], (long Ts, long Order)> _heap;
    private long _order;

    public NewestEvents(EventFilter filter, int limit)
    {
        _filter = filter;
        _limit = limit;
        _heap = new PriorityQueue<byte[], (long, long)>(Math.Min(limit, 4096));
    }

    public long NeededFrom
    {
        get
        {
            var from = _filter.From;
            if (_heap.Count == _limit && _heap.TryPeek(out _, out var oldest))
            {
                from = Math.Max(from, oldest.Ts);
            }

            return from;
        }
    }

    public void Visit(ref readonly EventHead head, ReadOnlySpan<byte> line)
    {
        if (_heap.Count == _limit && _heap.TryPeek(out _, out var oldest) && head.Ts <= oldest.Ts)
        {
            return; // older than all kept: checked first, it rules out most lines once the top is full
        }

        if (!_filter.Matches(in head, line))
        {
            return;
        }

        // Read newest first, so of two events at the same time the one read first (later in its file) ranks higher.
        var key = (head.Ts, --_order);
        if (_heap.Count < _limit)
        {
            _heap.Enqueue(line.ToArray(), key);
        }
        else
        {
            _heap.DequeueEnqueue(line.ToArray(), key);
        }
    }

    /// <summary>The kept events, newest first, as ClickHouse rows.</summary>
    public List<string[]> Rows()
    {
        var kept = new List<(long Ts, long Order, byte[] Line)>(_heap.Count);
        foreach (var (line, key) in _heap.UnorderedItems)
        {
            kept.Add((key.Ts, key.Order, line));
        }

        kept.Sort(static (a, b) => b.Ts != a.Ts ? b.Ts.CompareTo(a.Ts) : b.Order.CompareTo(a.Order));
        var rows = new List<string[]>(kept.Count);
        foreach (var (ts, _, line) in kept)
        {
            rows.Add(EventRow.Parse(ts, line));
        }

        return rows;
    }
}
