using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Blocks.Output;

/// <summary>
/// 64-bit ids (<c>template_id</c>) in JSON: the number, as before, and the same digits as a string in a twin field
/// named with <see cref="TwinSuffix"/> (<c>"template_id":16497899504664787926,"template_id_str":"16497899504664787926"</c>).
/// Consumers that read numbers as doubles (JavaScript, jq 1.6) round ids above 2^53; the twin stays exact, and
/// readers of the number (ClickHouse's <c>file()</c>, System.Text.Json, Python) keep working.
/// </summary>
public static class JsonIds
{
    /// <summary>The twin field's suffix: <c>template_id</c> → <c>template_id_str</c>.</summary>
    public const string TwinSuffix = "_str";

    /// <summary>The most bytes <see cref="Raw"/> adds besides its two prefixes: 20 digits twice and the closing quote.</summary>
    public const int MaxRawDigits = 41;

    /// <summary>
    /// Writes <paramref name="numberPrefix"/> (<c>,"template_id":</c>), the number, <paramref name="twinPrefix"/>
    /// (<c>,"template_id_str":"</c>), the digits again and the closing quote. No allocation.
    /// </summary>
    public static void Raw(Span<byte> span, ref int n, ReadOnlySpan<byte> numberPrefix, ReadOnlySpan<byte> twinPrefix, ulong id)
    {
        SpanText.Raw(span, ref n, numberPrefix);
        var start = n;
        Utf8Formatter.TryFormat(id, span[n..], out var written);
        n += written;
        SpanText.Raw(span, ref n, twinPrefix);
        span.Slice(start, written).CopyTo(span[n..]);
        n += written;
        span[n++] = (byte)'"';
    }

    /// <summary>Writes <c>"name":id</c> and <c>"name_str":"id"</c>.</summary>
    public static void Write(Utf8JsonWriter json, string name, ulong id)
    {
        ArgumentNullException.ThrowIfNull(json);
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(id, digits, out var written);
        json.WriteNumber(name, id);
        json.WriteString(name + TwinSuffix, digits[..written]);
    }
}
