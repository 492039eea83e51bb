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
                catch (ArgumentOutOfRangeException)
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
        var visitor = new Finder(this, ranges);
        AttributeScanner.Walk(json, ref visitor);
    }

    private bool IsSecretKeyRaw(ReadOnlySpan<byte> name)
    {
        if (name.IndexOf((byte)'\\') < 0)
        {
            return IsSecretKey(name);
        }

        Span<byte> unescaped = stackalloc byte[64];
        return name.Length <= unescaped.Length && IsSecretKey(unescaped[..Events.JsonUnescaper.Unescape(name, unescaped)]);
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

    /// <summary>Collects redaction ranges while <see cref="AttributeScanner"/> walks the attributes.</summary>
    private readonly struct Finder(RedactBlock block, List<RedactRange> ranges) : IAttributeVisitor
    {
        public bool Key(ReadOnlySpan<byte> name) => block.IsSecretKeyRaw(name);

        public void WholeValue(int start, int end) => ranges.Add(new RedactRange(start, end, true));

        public void StringValue(ReadOnlySpan<byte> content, int offset) =>
            block._scanner.Scan(content, offset, ranges, block._replacementText);
    }
}
