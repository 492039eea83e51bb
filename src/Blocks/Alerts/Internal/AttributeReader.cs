using System.Buffers.Text;
using System.Numerics;
using System.Text.Json;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// Reads every numeric attribute path the rules use (<c>data.battery</c>, <c>data.x</c>, …) in one walk of an
/// event's attributes, instead of one walk per path: a fleet's attribute rules usually read a few paths of
/// the same object. Same answers as <see cref="EventPath"/> one path at a time: the first property of a name
/// counts, a number sent as a string counts as the number, anything else is "not present". At most 64 paths;
/// the engine reads the rest one by one. Guarded by the engine's lock, no allocation per read.
/// </summary>
internal sealed class AttributeReader
{
    public const int MaxPaths = 64;

    private readonly byte[][][] _segments;
    private readonly ulong[] _leafAt;
    private readonly ulong _all;
    private readonly double[] _values;
    private ulong _present;
    private ulong _undecided;

    public AttributeReader(IReadOnlyList<EventPath> paths)
    {
        if (paths.Count > MaxPaths)
        {
            throw new ArgumentOutOfRangeException(nameof(paths), $"at most {MaxPaths} paths.");
        }

        _segments = [.. paths.Select(p => p.Segments)];
        _values = new double[paths.Count];
        var depth = paths.Count == 0 ? 0 : paths.Max(p => p.Segments.Length);
        _leafAt = new ulong[depth];
        for (var p = 0; p < paths.Count; p++)
        {
            _leafAt[_segments[p].Length - 1] |= 1UL << p;
            _all |= 1UL << p;
        }
    }

    public int Count => _values.Length;

    /// <summary>Reads all paths from <paramref name="attributes"/> (the event's attributes object).</summary>
    public void Read(ReadOnlySpan<byte> attributes)
    {
        _present = 0;
        _undecided = _all;
        if (attributes.IsEmpty || _all == 0)
        {
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(attributes);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                Walk(ref reader, 0, _all);
            }
        }
        catch (JsonException)
        {
            // The parse block wrote the attributes, so this is not expected; a bad one only means "no value".
            _present = 0;
        }
    }

    /// <summary>The number at path <paramref name="slot"/> of the last <see cref="Read"/>; false when the event has none.</summary>
    public bool TryGet(int slot, out double value)
    {
        value = _values[slot];
        return (_present & (1UL << slot)) != 0;
    }

    /// <summary>
    /// Reads the object the reader is in (after its StartObject), for the paths in <paramref name="alive"/>; true
    /// once every path is decided (found, or known to be absent), when the rest need not be read at all.
    /// </summary>
    private bool Walk(ref Utf8JsonReader reader, int depth, ulong alive)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                _undecided &= ~alive; // names this object does not have
                return _undecided == 0;
            }

            // A property name at this depth: which paths name it here (the first of a name decides).
            ulong matched = 0;
            for (var rest = alive; rest != 0; rest &= rest - 1)
            {
                var p = BitOperations.TrailingZeroCount(rest);
                if (reader.ValueTextEquals(_segments[p][depth]))
                {
                    matched |= 1UL << p;
                }
            }

            reader.Read();
            if (matched == 0)
            {
                reader.Skip();
                continue;
            }

            alive &= ~matched;
            var leaves = matched & _leafAt[depth];
            if (leaves != 0 && reader.TokenType is JsonTokenType.Number or JsonTokenType.String &&
                Utf8Parser.TryParse(reader.ValueSpan, out double value, out var consumed) && consumed == reader.ValueSpan.Length)
            {
                for (var rest = leaves; rest != 0; rest &= rest - 1)
                {
                    _values[BitOperations.TrailingZeroCount(rest)] = value;
                }

                _present |= leaves;
            }

            _undecided &= ~leaves;
            var deeper = matched & ~leaves;
            if (deeper != 0 && reader.TokenType == JsonTokenType.StartObject)
            {
                if (Walk(ref reader, depth + 1, deeper))
                {
                    return true;
                }
            }
            else
            {
                _undecided &= ~deeper; // the path goes on, the value does not
                reader.Skip();
            }

            if (_undecided == 0)
            {
                return true;
            }
        }

        return true;
    }
}
