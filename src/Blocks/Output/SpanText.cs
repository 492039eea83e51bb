namespace Pipeline.Blocks.Output;

/// <summary>The copies NDJSON is written with: raw bytes, and an optional string field (prefix, escaped value, closing quote).</summary>
public static class SpanText
{
    /// <summary>Copies <paramref name="bytes"/> to <paramref name="span"/> at <paramref name="n"/> and moves it on.</summary>
    public static void Raw(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[n..]);
        n += bytes.Length;
    }

    /// <summary>Writes <paramref name="prefix"/> (ending in an opening quote), the already escaped <paramref name="value"/> and the closing quote; nothing for an empty value.</summary>
    public static void Field(Span<byte> span, ref int n, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        Raw(span, ref n, prefix);
        Raw(span, ref n, value);
        span[n++] = (byte)'"';
    }
}
