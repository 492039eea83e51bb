using System.Text;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// Messages per event type, for one robot: a short list searched in order (a robot sends a handful of types),
/// bounded; types past the bound count as <c>other</c>. One writer (the robots sink); readers take a snapshot under the lock.
/// </summary>
internal sealed class TypeCounts
{
    internal const int MaxTypes = 32;
    private readonly Lock _gate = new();
    private readonly byte[][] _types = new byte[MaxTypes][];
    private readonly long[] _counts = new long[MaxTypes + 1]; // the last one: other
    private int _used;

    /// <summary>Counts one message of <paramref name="type"/> (JSON-escaped UTF-8, empty for none); allocates only for a new type.</summary>
    public void Add(ReadOnlySpan<byte> type)
    {
        lock (_gate)
        {
            for (var i = 0; i < _used; i++)
            {
                if (type.SequenceEqual(_types[i]))
                {
                    _counts[i]++;
                    return;
                }
            }

            if (_used < MaxTypes)
            {
                _types[_used] = type.ToArray();
                _counts[_used++] = 1;
                return;
            }

            _counts[MaxTypes]++;
        }
    }

    public Dictionary<string, long> Snapshot()
    {
        lock (_gate)
        {
            var result = new Dictionary<string, long>(_used + 1, StringComparer.Ordinal);
            for (var i = 0; i < _used; i++)
            {
                var name = _types[i].Length == 0 ? "(none)" : Encoding.UTF8.GetString(_types[i]);
                result[name] = result.GetValueOrDefault(name) + _counts[i];
            }

            if (_counts[MaxTypes] > 0)
            {
                result["other"] = _counts[MaxTypes];
            }

            return result;
        }
    }
}
