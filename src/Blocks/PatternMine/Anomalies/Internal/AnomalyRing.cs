namespace Pipeline.Blocks.PatternMine.Anomalies.Internal;

/// <summary>The latest anomalies, bounded: the oldest is overwritten. Read newest first.</summary>
internal sealed class AnomalyRing
{
    private readonly PatternAnomaly[] _items;
    private readonly object _gate = new();
    private int _next;
    private int _count;

    public AnomalyRing(int capacity)
    {
        _items = new PatternAnomaly[capacity];
    }

    public void Add(PatternAnomaly anomaly)
    {
        lock (_gate)
        {
            _items[_next] = anomaly;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
        }
    }

    public List<PatternAnomaly> Latest(int limit)
    {
        lock (_gate)
        {
            var n = Math.Min(limit, _count);
            var result = new List<PatternAnomaly>(n);
            for (var i = 1; i <= n; i++)
            {
                result.Add(_items[(_next - i + _items.Length) % _items.Length]);
            }

            return result;
        }
    }
}
