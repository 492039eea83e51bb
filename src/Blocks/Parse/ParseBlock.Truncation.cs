using System.Diagnostics;
using System.Text.Json;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Parse;

/// <summary>
/// Cutting string values longer than <see cref="ParseOptions.MaxStringChars"/>. A cut value is its
/// first N characters, then <c>…(truncated)</c>: the prefix is a byte range of the escaped value that
/// ends between two characters, so the result is valid JSON without unescaping anything.
/// </summary>
public sealed partial class ParseBlock
{
    private readonly int _maxChars;
    private readonly bool _truncate;

    // A string value of at most this many bytes cannot be over the limit; int.MaxValue when off, so
    // that a known field costs one comparison.
    private readonly int _cutAbove;
    private readonly Prometheus.Counter _truncatedValues;
    private readonly Prometheus.Counter _truncatedEvents;

    /// <summary>The most bytes the attributes of a line can take.</summary>
    private int AttributesCapacity(int lineLength)
    {
        if (!_truncate)
        {
            return lineLength + 2; // the line itself plus braces
        }

        // A cut value has at least N + 1 characters plus quotes in the line, and grows by less than
        // the suffix, so a line holds at most length / (N + 3) of them.
        return lineLength + 2 + JsonStringTruncation.Suffix.Length * (lineLength / (_maxChars + 3) + 1);
    }

    /// <summary>
    /// Copies one attribute from <paramref name="from"/> (its name) to the end of its value, which
    /// may be an object or array, cutting the long string values in it. Returns the bytes written.
    /// </summary>
    private int CopyCutting(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, int from, Span<byte> destination, ref int cuts)
    {
        var n = 0;
        var depth = reader.CurrentDepth;
        var container = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
        if (container && line.Length - reader.TokenStartIndex <= _maxChars + 2)
        {
            // What is left of the line is too short to hold a string over the limit: skip the
            // container in one go, as when truncation is off. (Skipping first to measure the container
            // would read every bigger one twice.)
            reader.Skip();
            var skipped = (int)reader.BytesConsumed;
            line[from..skipped].CopyTo(destination);
            return skipped - from;
        }

        while (true)
        {
            // Property names are tokens of their own type, so only values are cut.
            if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > _maxChars)
            {
                var cut = JsonStringTruncation.CutLength(reader.ValueSpan, _maxChars);
                if (cut >= 0)
                {
                    var keep = (int)reader.TokenStartIndex + 1 + cut;
                    line[from..keep].CopyTo(destination[n..]);
                    n += keep - from;
                    JsonStringTruncation.Suffix.CopyTo(destination[n..]);
                    n += JsonStringTruncation.Suffix.Length;
                    from = (int)reader.BytesConsumed - 1; // the closing quote goes with what follows
                    cuts++;
                }
            }

            if (!container)
            {
                break;
            }

            if (!reader.Read())
            {
                throw new JsonException("Unterminated object or array.");
            }

            // The end of a container has the depth of its start; everything inside is deeper.
            if (reader.CurrentDepth == depth)
            {
                break;
            }
        }

        var end = (int)reader.BytesConsumed;
        line[from..end].CopyTo(destination[n..]);
        return n + end - from;
    }

    /// <summary>Copies each cut known field's prefix, with the suffix, to the end of the batch.</summary>
    private static int AppendCutFields(EventBatch batch, ref EventRecord record, int cutFields)
    {
        var count = 0;
        for (var field = KnownField.Type; field <= KnownField.Hash; field++)
        {
            if ((cutFields & (1 << (int)field)) == 0)
            {
                continue;
            }

            ref var slice = ref StringField(ref record, field);
            var copy = batch.AppendFrom(slice);
            batch.Append(JsonStringTruncation.Suffix);
            slice = copy with { Length = copy.Length + JsonStringTruncation.Suffix.Length };
            count++;
        }

        return count;
    }

    private static ref Slice StringField(ref EventRecord record, KnownField field)
    {
        switch (field)
        {
            case KnownField.RobotId: return ref record.RobotId;
            case KnownField.Type: return ref record.Type;
            case KnownField.Msg: return ref record.Msg;
            case KnownField.TraceId: return ref record.TraceId;
            case KnownField.SpanId: return ref record.SpanId;
            case KnownField.Hash: return ref record.Hash;
            default: throw new UnreachableException($"{field} is not a string field.");
        }
    }
}
