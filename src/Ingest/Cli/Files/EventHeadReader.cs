using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// Reads an <see cref="EventHead"/> from a files line without parsing all of it: the files sink writes
/// <c>{"ts":"…","received_at":"…","level":"…"[,"level_code":N][,"robot_id":"…"][,"type":"…"][,"msg":"…"]…</c> in that
/// order (EventJsonWriter), so those are read at their places; a line in any other shape (another writer, an older
/// version) is read with <see cref="Utf8JsonReader"/>. No allocation.
/// </summary>
internal static class EventHeadReader
{
    private const int TimeLength = 24;

    private static ReadOnlySpan<byte> TsKey => "{\"ts\":\""u8;
    private static ReadOnlySpan<byte> ReceivedKey => "\",\"received_at\":\""u8;
    private static ReadOnlySpan<byte> LevelKey => "\",\"level\":\""u8;
    private static ReadOnlySpan<byte> LevelCodeKey => ",\"level_code\":"u8;
    private static ReadOnlySpan<byte> RobotKey => ",\"robot_id\":\""u8;
    private static ReadOnlySpan<byte> TypeKey => ",\"type\":\""u8;
    private static ReadOnlySpan<byte> MsgKey => ",\"msg\":\""u8;

    /// <summary>False when the line is not a JSON object with a time and a level (counted as a bad line by the caller).</summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out EventHead head)
    {
        head = default;
        return TryReadLayout(line, ref head) || TryReadAny(line, ref head);
    }

    /// <summary>The level's rank (DEBUG 0 … CRITICAL 4, ClickHouse's enum), or -1.</summary>
    public static int Rank(ReadOnlySpan<byte> level) => level switch
    {
        _ when level.SequenceEqual("DEBUG"u8) => 0,
        _ when level.SequenceEqual("INFO"u8) => 1,
        _ when level.SequenceEqual("WARNING"u8) => 2,
        _ when level.SequenceEqual("ERROR"u8) => 3,
        _ when level.SequenceEqual("CRITICAL"u8) => 4,
        _ => -1,
    };

    private static bool TryReadLayout(ReadOnlySpan<byte> line, ref EventHead head)
    {
        var n = TsKey.Length + TimeLength + ReceivedKey.Length + TimeLength + LevelKey.Length;
        if (line.Length < n + 8 || !line.StartsWith(TsKey) ||
            !line[(TsKey.Length + TimeLength)..].StartsWith(ReceivedKey) ||
            !line[(TsKey.Length + TimeLength + ReceivedKey.Length + TimeLength)..].StartsWith(LevelKey) ||
            !TryParseTime(line.Slice(TsKey.Length, TimeLength), out head.Ts) ||
            !TryParseTime(line.Slice(TsKey.Length + TimeLength + ReceivedKey.Length, TimeLength), out head.ReceivedAt))
        {
            return false;
        }

        var quote = line[n..].IndexOf((byte)'"');
        if (quote < 0 || (head.Level = Rank(line.Slice(n, quote))) < 0)
        {
            return false;
        }

        var rest = line[(n + quote + 1)..];
        if (rest.StartsWith(LevelCodeKey))
        {
            rest = rest[LevelCodeKey.Length..];
            var digits = rest.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            if (digits <= 0)
            {
                return false;
            }

            rest = rest[digits..];
        }

        head.Escaped = line.IndexOf((byte)'\\') >= 0;
        return Field(rest, RobotKey, out head.RobotId, out rest) && Field(rest, TypeKey, out head.Type, out rest) && Field(rest, MsgKey, out head.Msg, out _);
    }

    /// <summary>An optional string field at the start of <paramref name="rest"/>; false only when it is there but not closed.</summary>
    private static bool Field(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> next)
    {
        value = default;
        next = rest;
        if (!rest.StartsWith(key))
        {
            return true;
        }

        var text = rest[key.Length..];
        var i = 0;
        while (true)
        {
            var q = text[i..].IndexOf((byte)'"');
            if (q < 0)
            {
                return false;
            }

            i += q;
            var backslashes = 0;
            while (i - backslashes - 1 >= 0 && text[i - backslashes - 1] == '\\')
            {
                backslashes++;
            }

            if (backslashes % 2 == 0)
            {
                break;
            }

            i++;
        }

        value = text[..i];
        next = text[(i + 1)..];
        return true;
    }

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.fffZ</c> as Unix milliseconds.</summary>
    private static bool TryParseTime(ReadOnlySpan<byte> t, out long ms)
    {
        ms = 0;
        if (t.Length != TimeLength || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z' ||
            !Number(t[..4], out var year) || !Number(t.Slice(5, 2), out var month) || !Number(t.Slice(8, 2), out var day) ||
            !Number(t.Slice(11, 2), out var hour) || !Number(t.Slice(14, 2), out var minute) || !Number(t.Slice(17, 2), out var second) ||
            !Number(t.Slice(20, 3), out var milli) || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var days = new DateOnly(year, month, day).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        ms = (((((long)days * 24) + hour) * 60 + minute) * 60 + second) * 1000 + milli;
        return true;
    }

    private static bool Number(ReadOnlySpan<byte> digits, out int value) =>
        Utf8Parser.TryParse(digits, out value, out var used) && used == digits.Length && value >= 0;

    /// <summary>Any JSON object: <c>ts</c> as RFC 3339 text or epoch milliseconds, <c>level</c> by name.</summary>
    private static bool TryReadAny(ReadOnlySpan<byte> line, ref EventHead head)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var haveTs = false;
            head.Level = -1;
            head.ReceivedAt = long.MinValue;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                var value = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : default;
                head.Escaped |= reader.ValueIsEscaped;
                if (name.SequenceEqual("ts"u8))
                {
                    haveTs = TryTime(ref reader, out head.Ts);
                }
                else if (name.SequenceEqual("received_at"u8))
                {
                    TryTime(ref reader, out head.ReceivedAt);
                }
                else if (name.SequenceEqual("level"u8))
                {
                    head.Level = Rank(value);
                }
                else if (name.SequenceEqual("robot_id"u8))
                {
                    head.RobotId = value;
                }
                else if (name.SequenceEqual("type"u8))
                {
                    head.Type = value;
                }
                else if (name.SequenceEqual("msg"u8))
                {
                    head.Msg = value;
                }
            }

            if (head.ReceivedAt == long.MinValue)
            {
                head.ReceivedAt = head.Ts;
            }

            return haveTs && head.Level >= 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryTime(ref Utf8JsonReader reader, out long ms)
    {
        ms = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out ms);
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        if (TryParseTime(reader.ValueSpan, out ms))
        {
            return true;
        }

        Span<char> chars = stackalloc char[64];
        if (reader.ValueSpan.Length > chars.Length)
        {
            return false;
        }

        var count = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (DateTimeOffset.TryParse(chars[..count], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            ms = time.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }
}
