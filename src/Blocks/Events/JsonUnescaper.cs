using System.Buffers.Text;
using System.Text;

namespace Pipeline.Blocks.Events;

/// <summary>
/// Turns the JSON-escaped UTF-8 that batches hold (string values without their quotes) back into
/// the text itself: for ClickHouse columns, pattern mining and redaction. Never longer than its input.
/// </summary>
public static class JsonUnescaper
{
    /// <summary>
    /// Writes the unescaped form of <paramref name="escaped"/> to <paramref name="destination"/>
    /// (at least as long as the input) and returns its length. A malformed escape, which the
    /// parser does not let through, is copied as it is.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        var first = escaped.IndexOf((byte)'\\');
        if (first < 0)
        {
            escaped.CopyTo(destination);
            return escaped.Length;
        }

        escaped[..first].CopyTo(destination);
        var n = first;
        var i = first;
        while (i < escaped.Length)
        {
            var b = escaped[i];
            if (b != '\\' || i + 1 >= escaped.Length)
            {
                destination[n++] = b;
                i++;
                continue;
            }

            var e = escaped[i + 1];
            byte simple = e switch
            {
                (byte)'"' => (byte)'"',
                (byte)'\\' => (byte)'\\',
                (byte)'/' => (byte)'/',
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                (byte)'n' => (byte)'\n',
                (byte)'r' => (byte)'\r',
                (byte)'t' => (byte)'\t',
                _ => 0,
            };
            if (simple != 0)
            {
                destination[n++] = simple;
                i += 2;
                continue;
            }

            if (e == 'u' && TryHex4(escaped, i + 2, out var unit))
            {
                var consumed = 6;
                var scalar = (int)unit;
                if (char.IsHighSurrogate((char)unit) && i + 12 <= escaped.Length && escaped[i + 6] == '\\' && escaped[i + 7] == 'u' &&
                    TryHex4(escaped, i + 8, out var low) && char.IsLowSurrogate((char)low))
                {
                    scalar = char.ConvertToUtf32((char)unit, (char)low);
                    consumed = 12;
                }
                else if (char.IsSurrogate((char)unit))
                {
                    scalar = 0xFFFD; // a lone surrogate is not text; store the replacement character
                }

                new Rune(scalar).EncodeToUtf8(destination[n..]);
                n += new Rune(scalar).Utf8SequenceLength;
                i += consumed;
                continue;
            }

            destination[n++] = b;
            i++;
        }

        return n;
    }

    /// <summary>
    /// The unescaped text: <paramref name="escaped"/> itself when it has no escapes, else its unescaped
    /// form in <paramref name="buffer"/> (grown when too small, so a reused buffer stops allocating).
    /// </summary>
    public static ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> escaped, ref byte[] buffer)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return escaped;
        }

        if (buffer.Length < escaped.Length)
        {
            buffer = new byte[Math.Max(escaped.Length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, Unescape(escaped, buffer));
    }

    private static bool TryHex4(ReadOnlySpan<byte> s, int at, out ushort value)
    {
        value = 0;
        return at + 4 <= s.Length && Utf8Parser.TryParse(s.Slice(at, 4), out value, out var used, 'X') && used == 4;
    }
}
