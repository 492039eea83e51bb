using System.Text;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// Messages per event type, for one robot: a short list searched in order (a robot sends a handful of types),
/// bounded; types past the bound count as <c>other</c>. One writer (the robots sink), without a lock: a type is in
/// place before the count of types says so; readers (the API) may see a count one batch old.
/// </summary>
internal sealed class TypeCounts
{
    internal const int MaxTypes = 32;
    private readonly byte[][] _types = new byte[MaxTypes][];
    private readonly long[] _counts = new long[MaxTypes + 1]; // the last one: other
    private int _used;

    /// <summary>Counts one message of <paramref name="type"/> (JSON-escaped UTF-8, empty for none); allocates only for a new type.</summary>
    public void Add(ReadOnlySpan<byte> type)
    {
        var used = _used;
        for (var i = 0; i < used; i++)
        {
            if (type.SequenceEqual(_types[i]))
            {
                _counts[i]++;
                return;
            }
        }

        if (used < MaxTypes)
        {
            _types[used] = type.ToArray();
            _counts[used] = 1;
            Volatile.Write(ref _used, used + 1);
            return;
        }

        _counts[MaxTypes]++;
    }

    public Dictionary<string, long> Snapshot()
    {
        var used = Volatile.Read(ref _used);
        var result = new Dictionary<string, long>(used + 1, StringComparer.Ordinal);
        for (var i = 0; i < used; i++)
        {
            var name = _types[i].Length == 0 ? "(none)" : Encoding.UTF8.GetString(_types[i]);
            result[name] = result.GetValueOrDefault(name) + Volatile.Read(ref _counts[i]);
        }

        if (Volatile.Read(ref _counts[MaxTypes]) is var other and > 0)
        {
            result["other"] = other;
        }

        return result;
    }
}
