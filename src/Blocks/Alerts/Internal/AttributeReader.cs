using System.Buffers;
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
/// <para>
/// The attributes are the parse block's output, valid JSON, so the walk is a scan of the bytes: names compared
/// raw, values skipped by their first byte, decimals like <c>9.413</c> parsed exactly without the general
/// parser (<see cref="DecimalParser"/>): a quarter of the cost of a <see cref="Utf8JsonReader"/> walk. Anything
/// the scan does not expect (an escaped name, a byte out of place) sends the event to that walk instead, so
/// the answers stay the reader's.
/// </para>
/// </summary>
internal sealed class AttributeReader
{
    public const int MaxPaths = 64;

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);

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

    /// <summary>Reads the scan handed to the JSON reader (escaped names, bytes out of place): none for the parse block's usual output.</summary>
    public long Fallbacks { get; private set; }

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
            var position = 0;
            if (Scan(attributes, ref position, 0, _all))
            {
                return; // every path decided: the object was read to its end, or each one was found before
            }
        }
        catch (IndexOutOfRangeException)
        {
            // Past the end of attributes that stop short (not what the parse block writes): the reader says what they hold.
        }

        Fallbacks++;
        _present = 0;
        _undecided = _all;
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
    /// Scans the object at <paramref name="position"/> (its opening brace) for the paths in <paramref name="alive"/>,
    /// as <see cref="Walk"/> reads it; false on anything unexpected (the caller walks the event instead). Stops
    /// early, with <paramref name="position"/> anywhere, once every path is decided.
    /// </summary>
    private bool Scan(ReadOnlySpan<byte> json, ref int position, int depth, ulong alive)
    {
        var i = SkipWhitespace(json, position);
        if (json[i] != (byte)'{')
        {
            return false;
        }

        i = SkipWhitespace(json, i + 1);
        if (json[i] == (byte)'}')
        {
            position = i + 1;
            _undecided &= ~alive;
            return true;
        }

        while (true)
        {
            if (json[i] != (byte)'"')
            {
                return false;
            }

            var nameEnd = QuoteOrEscape(json, i + 1) - (i + 1);
            if (nameEnd < 0 || json[i + 1 + nameEnd] != (byte)'"')
            {
                return false; // an escaped name: the reader unescapes it
            }

            var name = json.Slice(i + 1, nameEnd);
            i = SkipWhitespace(json, i + nameEnd + 2);
            if (json[i] != (byte)':')
            {
                return false;
            }

            i = SkipWhitespace(json, i + 1);
            ulong matched = 0;
            for (var rest = alive; rest != 0; rest &= rest - 1)
            {
                var p = BitOperations.TrailingZeroCount(rest);
                if (name.SequenceEqual(_segments[p][depth]))
                {
                    matched |= 1UL << p;
                }
            }

            if (matched == 0)
            {
                if (!SkipValue(json, ref i))
                {
                    return false;
                }
            }
            else
            {
                alive &= ~matched;
                var leaves = matched & _leafAt[depth];
                var deeper = matched & ~leaves;
                if (deeper != 0 && json[i] == (byte)'{')
                {
                    _undecided &= ~leaves; // a leaf here sees an object: not a number
                    if (!Scan(json, ref i, depth + 1, deeper))
                    {
                        return false;
                    }
                }
                else
                {
                    var start = i;
                    var quoted = json[i] == (byte)'"';
                    if (!SkipValue(json, ref i))
                    {
                        return false;
                    }

                    if (leaves != 0 && (quoted || json[start] is (byte)'-' or >= (byte)'0' and <= (byte)'9'))
                    {
                        var text = quoted ? json[(start + 1)..(i - 1)] : json[start..i];
                        if (DecimalParser.TryParse(text, out var value))
                        {
                            for (var rest = leaves; rest != 0; rest &= rest - 1)
                            {
                                _values[BitOperations.TrailingZeroCount(rest)] = value;
                            }

                            _present |= leaves;
                        }
                    }

                    _undecided &= ~matched; // found, or known not to be a number; deeper paths end at a non-object
                }

                if (_undecided == 0)
                {
                    position = i;
                    return true;
                }
            }

            i = SkipWhitespace(json, i);
            if (json[i] == (byte)',')
            {
                i = SkipWhitespace(json, i + 1);
                continue;
            }

            if (json[i] != (byte)'}')
            {
                return false;
            }

            position = i + 1;
            _undecided &= ~alive; // names this object does not have
            return true;
        }
    }

    /// <summary>Moves past the value at <paramref name="i"/>: a string, a number, a literal, or a whole object or array; false on a byte no value starts with.</summary>
    private static bool SkipValue(ReadOnlySpan<byte> json, ref int i)
    {
        switch (json[i])
        {
            case (byte)'"':
                i = SkipString(json, i);
                return i > 0;
            case (byte)'{' or (byte)'[':
                var depth = 0;
                while (true)
                {
                    var next = json[i..].IndexOfAny(Structural);
                    if (next < 0)
                    {
                        return false;
                    }

                    i += next;
                    switch (json[i])
                    {
                        case (byte)'"':
                            i = SkipString(json, i);
                            if (i < 0)
                            {
                                return false;
                            }

                            continue;
                        case (byte)'{' or (byte)'[':
                            depth++;
                            break;
                        default:
                            depth--;
                            break;
                    }

                    i++;
                    if (depth == 0)
                    {
                        return true;
                    }
                }

            case (byte)'t':
                return SkipLiteral(json, ref i, "true"u8);
            case (byte)'f':
                return SkipLiteral(json, ref i, "false"u8);
            case (byte)'n':
                return SkipLiteral(json, ref i, "null"u8);
            case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                // Numbers are short: a plain loop beats a vectorised search's setup. The object's closing brace
                // always follows, so the loop stops inside the span; the indexer guards a cut-short one.
                while (json[i] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E')
                {
                    i++;
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>The index just past the string whose opening quote is at <paramref name="i"/>; -1 when it does not end.</summary>
    private static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        i++;
        while (true)
        {
            i = QuoteOrEscape(json, i);
            if (i < 0)
            {
                return -1;
            }

            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // an escape: the byte after the backslash is never the end
        }
    }

    /// <summary>
    /// The index of the first quote or backslash from <paramref name="from"/>, -1 if none. Names and most values
    /// are a few bytes long: a plain loop over the first 16 is faster than the vectorised search, which takes the rest.
    /// </summary>
    private static int QuoteOrEscape(ReadOnlySpan<byte> json, int from)
    {
        var limit = Math.Min(json.Length, from + 16);
        for (var k = from; k < limit; k++)
        {
            if (json[k] is (byte)'"' or (byte)'\\')
            {
                return k;
            }
        }

        var next = json[limit..].IndexOfAny((byte)'"', (byte)'\\');
        return next < 0 ? -1 : limit + next;
    }

    private static bool SkipLiteral(ReadOnlySpan<byte> json, ref int i, ReadOnlySpan<byte> literal)
    {
        if (!json[i..].StartsWith(literal))
        {
            return false;
        }

        i += literal.Length;
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
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
