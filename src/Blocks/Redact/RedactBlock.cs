using System.Text;
using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Redact;

/// <summary>
/// Replaces secrets before anything leaves the process: values of secret keys at any depth of the
/// attributes, and <c>Bearer …</c>/JWT/configured patterns inside <c>msg</c> and string attributes.
/// A value that needs no change is not copied; one that does is rewritten once into the batch.
/// </summary>
public sealed class RedactBlock : IBatchProcessor
{
    private readonly byte[][] _keys;
    private readonly byte[] _replacement;
    private readonly byte[] _quotedReplacement;
    private readonly string _replacementText;
    private readonly SecretScanner _scanner;
    private readonly ComponentMetrics _metrics;
    private readonly Prometheus.Counter _redacted;

    public RedactBlock(RedactOptions options, PipelineMetrics metrics)
    {
        _keys = new byte[options.Keys.Count][];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Encoding.UTF8.GetBytes(options.Keys[i].ToLowerInvariant());
        }

        _replacement = Encoding.UTF8.GetBytes(JsonEncodedText.Encode(options.Replacement).Value);
        _quotedReplacement = [(byte)'"', .. _replacement, (byte)'"'];
        _replacementText = options.Replacement;
        _scanner = new SecretScanner(options);
        _metrics = metrics.ForComponent(Name);
        _redacted = metrics.RedactedEvents;
    }

    public string Name => "redact";

    public void Process(EventBatch batch)
    {
        _metrics.In.Inc(batch.Count);
        var ranges = new List<RedactRange>(8);
        var events = batch.Events;
        long changed = 0;
        for (var i = 0; i < events.Length; i++)
        {
            ref var record = ref events[i];
            var touched = false;
            if (!record.Msg.IsEmpty)
            {
                ranges.Clear();
                _scanner.Scan(batch[record.Msg], 0, ranges, _replacementText);
                if (ranges.Count > 0)
                {
                    record.Msg = Rewrite(batch, record.Msg, ranges);
                    touched = true;
                }
            }

            if (!record.Attributes.IsEmpty)
            {
                ranges.Clear();
                try
                {
                    FindInAttributes(batch[record.Attributes], ranges);
                }
                catch (JsonException)
                {
                    // Attributes were validated by the parser; if they are somehow unreadable,
                    // drop them rather than let a secret through.
                    record.Attributes = Slice.Empty;
                    _metrics.Error("attributes");
                    continue;
                }

                if (ranges.Count > 0)
                {
                    record.Attributes = Rewrite(batch, record.Attributes, ranges);
                    touched = true;
                }
            }

            if (touched)
            {
                changed++;
            }
        }

        _redacted.Inc(changed);
        _metrics.Out.Inc(batch.Count);
    }

    private void FindInAttributes(ReadOnlySpan<byte> json, List<RedactRange> ranges)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!IsSecretKey(ref reader))
                {
                    continue;
                }

                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                ranges.Add(new RedactRange(start, (int)reader.BytesConsumed, true));
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                _scanner.Scan(reader.ValueSpan, (int)reader.TokenStartIndex + 1, ranges, _replacementText);
            }
        }
    }

    private bool IsSecretKey(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return IsSecretKey(reader.ValueSpan);
        }

        Span<byte> unescaped = stackalloc byte[64];
        return reader.ValueSpan.Length <= unescaped.Length && IsSecretKey(unescaped[..reader.CopyString(unescaped)]);
    }

    private bool IsSecretKey(ReadOnlySpan<byte> name)
    {
        foreach (var key in _keys)
        {
            if (key.Length == name.Length && System.Text.Ascii.EqualsIgnoreCase(name, key))
            {
                return true;
            }
        }

        return false;
    }

    private byte[] Replacement(RedactRange range) =>
        range.Replacement ?? (range.WholeValue ? _quotedReplacement : _replacement);

    /// <summary>Writes <paramref name="source"/> with the ranges replaced to the end of the batch.</summary>
    private Slice Rewrite(EventBatch batch, Slice source, List<RedactRange> ranges)
    {
        var length = source.Length;
        foreach (var range in ranges)
        {
            length += Replacement(range).Length - (range.End - range.Start);
        }

        batch.EnsureCapacity(length);
        var from = batch[source];
        var to = batch.GetAppendSpan(length);
        var read = 0;
        var written = 0;
        foreach (var range in ranges)
        {
            from[read..range.Start].CopyTo(to[written..]);
            written += range.Start - read;
            var replacement = Replacement(range);
            replacement.CopyTo(to[written..]);
            written += replacement.Length;
            read = range.End;
        }

        from[read..].CopyTo(to[written..]);
        written += from.Length - read;
        var slice = new Slice(batch.DataLength, written);
        batch.Advance(written);
        return slice;
    }
}
