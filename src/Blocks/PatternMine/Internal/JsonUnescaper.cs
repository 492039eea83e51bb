using System.Text;

namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// Undoes JSON string escapes (an event's <c>msg</c> is stored escaped in the batch) into a reusable
/// buffer, so that templates are the same whether a message came from JSON or from plain text.
/// </summary>
internal static class JsonUnescaper
{
    /// <summary>Returns the unescaped text: <paramref name="escaped"/> itself when it has no escapes.</summary>
    public static ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> escaped, ref byte[] buffer)
    {
        var first = escaped.IndexOf((byte)'\\');
        if (first < 0)
        {
            return escaped;
        }

        if (buffer.Length < escaped.Length)
        {
            buffer = new byte[Math.Max(escaped.Length, buffer.Length * 2)];
        }

        escaped[..first].CopyTo(buffer);
        var w = first;
        var r = first;
        while (r < escaped.Length)
        {
            var b = escaped[r];
            if (b != '\\' || r + 1 >= escaped.Length)
            {
                buffer[w++] = b;
                r++;
                continue;
            }

            var e = escaped[r + 1];
            switch (e)
            {
                case (byte)'n' or (byte)'r' or (byte)'t' or (byte)'b' or (byte)'f':
                    buffer[w++] = (byte)' ';
                    r += 2;
                    break;
                case (byte)'u' when r + 6 <= escaped.Length && TryHex4(escaped.Slice(r + 2, 4), out var unit):
                    r += 6;
                    var rune = (int)unit;
                    if (char.IsHighSurrogate((char)unit) && r + 6 <= escaped.Length && escaped[r] == '\\' && escaped[r + 1] == 'u'
                        && TryHex4(escaped.Slice(r + 2, 4), out var low) && char.IsLowSurrogate((char)low))
                    {
                        rune = char.ConvertToUtf32((char)unit, (char)low);
                        r += 6;
                    }
                    else if (char.IsSurrogate((char)unit))
                    {
                        rune = 0xFFFD;
                    }

                    // Six escaped bytes always hold the (at most four) UTF-8 bytes of one code point.
                    w += new Rune(rune).EncodeToUtf8(buffer.AsSpan(w));
                    break;
                default:
                    buffer[w++] = e;
                    r += 2;
                    break;
            }
        }

        return buffer.AsSpan(0, w);
    }

    private static bool TryHex4(ReadOnlySpan<byte> hex, out uint value)
    {
        value = 0;
        foreach (var b in hex)
        {
            uint digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => (uint)(b - '0'),
                >= (byte)'a' and <= (byte)'f' => (uint)(b - 'a' + 10),
                >= (byte)'A' and <= (byte)'F' => (uint)(b - 'A' + 10),
                _ => 16,
            };
            if (digit == 16)
            {
                return false;
            }

            value = value << 4 | digit;
        }

        return true;
    }
}
