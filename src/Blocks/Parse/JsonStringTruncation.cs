using System.Buffers;
using System.Buffers.Text;

namespace Pipeline.Blocks.Parse;

/// <summary>
/// Finds where to cut a JSON-escaped UTF-8 string value (without its quotes) after a number of
/// characters, counted as Unicode scalar values of the unescaped text: <c>\n</c>, <c>\u00e9</c> and a
/// surrogate-pair escape <c>\ud83d\ude00</c> are one character each, and so is a 2-, 3- or 4-byte
/// UTF-8 sequence. The cut is always between two characters, so the kept prefix stays valid JSON.
/// </summary>
internal static class JsonStringTruncation
{
    /// <summary>What a cut value ends with: U+2026 and "(truncated)", as UTF-8.</summary>
    public static ReadOnlySpan<byte> Suffix => "…(truncated)"u8;

    // Bytes after which counting one byte per character is wrong: escapes and non-ASCII.
    private static readonly SearchValues<byte> NotPlain = SearchValues.Create(NotPlainBytes());

    /// <summary>
    /// Bytes that the first <paramref name="maxChars"/> characters of <paramref name="escaped"/>
    /// take, or -1 when the value has no more than <paramref name="maxChars"/> characters.
    /// </summary>
    /// <remarks>Expects what <c>Utf8JsonReader</c> let through: valid UTF-8 and valid escapes.</remarks>
    public static int CutLength(ReadOnlySpan<byte> escaped, int maxChars)
    {
        // Every character is at least one byte: a value no longer than maxChars bytes is not cut.
        if (escaped.Length <= maxChars)
        {
            return -1;
        }

        var i = escaped[..maxChars].IndexOfAny(NotPlain);
        if (i < 0)
        {
            return maxChars; // the first maxChars bytes are plain ASCII, and more follow
        }

        var chars = i;
        while (i < escaped.Length)
        {
            if (chars == maxChars)
            {
                return i;
            }

            var b = escaped[i];
            i += b switch
            {
                (byte)'\\' => EscapeLength(escaped, i),
                < 0x80 => 1,
                >= 0xF0 => 4,
                >= 0xE0 => 3,
                _ => 2,
            };
            chars++;
        }

        return -1;
    }

    private static byte[] NotPlainBytes()
    {
        var bytes = new byte[0x81];
        bytes[0] = (byte)'\\';
        for (var b = 0x80; b <= 0xFF; b++)
        {
            bytes[b - 0x7F] = (byte)b;
        }

        return bytes;
    }

    private static int EscapeLength(ReadOnlySpan<byte> s, int at)
    {
        if (at + 1 >= s.Length || s[at + 1] != 'u')
        {
            return 2;
        }

        // A high surrogate followed by an escaped low surrogate is one character (two UTF-16 units);
        // a lone surrogate is one character too (the unescaper stores it as U+FFFD).
        if (TryHex4(s, at + 2, out var high) && char.IsHighSurrogate((char)high) &&
            at + 12 <= s.Length && s[at + 6] == '\\' && s[at + 7] == 'u' &&
            TryHex4(s, at + 8, out var low) && char.IsLowSurrogate((char)low))
        {
            return 12;
        }

        return Math.Min(6, s.Length - at);
    }

    private static bool TryHex4(ReadOnlySpan<byte> s, int at, out ushort value)
    {
        value = 0;
        return at + 4 <= s.Length && Utf8Parser.TryParse(s.Slice(at, 4), out value, out var used, 'X') && used == 4;
    }
}
