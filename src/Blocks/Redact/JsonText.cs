using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Blocks.Redact;

/// <summary>Unescapes and re-escapes JSON string content, for the rare strings that carry escapes.</summary>
internal static class JsonText
{
    /// <summary>Writes the unescaped UTF-8 of <paramref name="escaped"/> (content without quotes) to <paramref name="output"/>.</summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> output)
    {
        var written = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != '\\' || i + 1 >= escaped.Length)
            {
                output[written++] = c;
                continue;
            }

            var e = escaped[++i];
            switch (e)
            {
                case (byte)'n': output[written++] = (byte)'\n'; break;
                case (byte)'r': output[written++] = (byte)'\r'; break;
                case (byte)'t': output[written++] = (byte)'\t'; break;
                case (byte)'b': output[written++] = (byte)'\b'; break;
                case (byte)'f': output[written++] = (byte)'\f'; break;
                case (byte)'u' when i + 4 < escaped.Length && TryHex(escaped.Slice(i + 1, 4), out var unit):
                    i += 4;
                    var scalar = (int)unit;
                    if (char.IsHighSurrogate((char)unit) && i + 6 < escaped.Length && escaped[i + 1] == '\\' && escaped[i + 2] == 'u' &&
                        TryHex(escaped.Slice(i + 3, 4), out var low) && char.IsLowSurrogate((char)low))
                    {
                        scalar = char.ConvertToUtf32((char)unit, (char)low);
                        i += 6;
                    }

                    if (!Rune.TryCreate(scalar, out var rune))
                    {
                        rune = Rune.ReplacementChar;
                    }

                    written += rune.EncodeToUtf8(output[written..]);
                    break;
                default: output[written++] = e; break; // \" \\ \/
            }
        }

        return written;
    }

    /// <summary>JSON-escapes UTF-8 text (content without quotes), as System.Text.Json's relaxed encoder does.</summary>
    public static byte[] Escape(ReadOnlySpan<byte> utf8) =>
        JsonEncodedText.Encode(utf8, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();

    private static bool TryHex(ReadOnlySpan<byte> hex, out uint value) =>
        uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
