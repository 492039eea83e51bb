using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Ingest.Acks;

/// <summary>
/// The top-level <c>seq</c> of an event line, without parsing it when it comes first (<c>{"seq":42,…}</c>, as the
/// clients write it); anywhere else among the top-level keys it is found with a reader that skips nested values, so a
/// <c>seq</c> inside <c>data</c> is never taken for it.
/// </summary>
internal static class SeqReader
{
    private static ReadOnlySpan<byte> First => "{\"seq\":"u8;
    private static ReadOnlySpan<byte> Key => "\"seq\""u8;

    /// <summary>The line's seq (≥ 1); 0 when it has no top-level seq; −1 when it has one that is not a positive integer.</summary>
    public static long Read(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith(First))
        {
            var digits = line[First.Length..];
            if (Utf8Parser.TryParse(digits, out long fast, out var used) && used > 0 && used < digits.Length &&
                digits[used] is (byte)',' or (byte)'}' or (byte)' ')
            {
                return fast > 0 ? fast : -1;
            }
        }

        return line.IndexOf(Key) < 0 ? 0 : Scan(line);
    }

    private static long Scan(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSeq = reader.ValueTextEquals("seq"u8);
                if (!reader.Read())
                {
                    return 0;
                }

                if (isSeq)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq) && seq > 0 ? seq : -1;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A bad line: the parse block dead-letters it; it carries no seq to take.
        }

        return 0;
    }
}
