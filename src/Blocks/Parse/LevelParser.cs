using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Parse;

/// <summary>Maps level names and numeric codes onto <see cref="EventLevel"/>.</summary>
public static class LevelParser
{
    /// <summary>Reads a level name, case-insensitive. Unknown names give false.</summary>
    public static bool TryParseName(ReadOnlySpan<byte> name, out EventLevel level)
    {
        Span<byte> upper = stackalloc byte[12];
        level = EventLevel.Info;
        if (name.Length is 0 or > 12)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            upper[i] = c is >= (byte)'a' and <= (byte)'z' ? (byte)(c - 32) : c;
        }

        var u = upper[..name.Length];
        if (u.SequenceEqual("INFO"u8) || u.SequenceEqual("INFORMATION"u8) || u.SequenceEqual("NOTICE"u8))
        {
            level = EventLevel.Info;
        }
        else if (u.SequenceEqual("DEBUG"u8) || u.SequenceEqual("TRACE"u8) || u.SequenceEqual("VERBOSE"u8))
        {
            level = EventLevel.Debug;
        }
        else if (u.SequenceEqual("WARNING"u8) || u.SequenceEqual("WARN"u8))
        {
            level = EventLevel.Warning;
        }
        else if (u.SequenceEqual("ERROR"u8) || u.SequenceEqual("ERR"u8))
        {
            level = EventLevel.Error;
        }
        else if (u.SequenceEqual("CRITICAL"u8) || u.SequenceEqual("CRIT"u8) || u.SequenceEqual("FATAL"u8) ||
                 u.SequenceEqual("EMERG"u8) || u.SequenceEqual("EMERGENCY"u8) || u.SequenceEqual("ALERT"u8) ||
                 u.SequenceEqual("PANIC"u8))
        {
            level = EventLevel.Critical;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a numeric level: syslog severities 0–7 and the MQ scheme 0/1/9/11/91/99
    /// (9 error, 11 info-notify-customer, 91 error-notify-customer, 99 monitor).
    /// </summary>
    public static bool TryParseCode(long code, NumericLevelScheme scheme, out EventLevel level)
    {
        level = code switch
        {
            0 => scheme == NumericLevelScheme.Syslog ? EventLevel.Critical : EventLevel.Debug,
            1 => scheme == NumericLevelScheme.Syslog ? EventLevel.Critical : EventLevel.Info,
            2 => EventLevel.Critical,
            3 => EventLevel.Error,
            4 => EventLevel.Warning,
            5 or 6 => EventLevel.Info,
            7 => EventLevel.Debug,
            9 or 91 => EventLevel.Error,
            11 or 99 => EventLevel.Info,
            _ => EventLevel.Info,
        };
        return code is (>= 0 and <= 7) or 9 or 11 or 91 or 99;
    }

    /// <summary>The upper-case name written to files and ClickHouse.</summary>
    public static ReadOnlySpan<byte> Name(EventLevel level) => level switch
    {
        EventLevel.Debug => "DEBUG"u8,
        EventLevel.Info => "INFO"u8,
        EventLevel.Warning => "WARNING"u8,
        EventLevel.Error => "ERROR"u8,
        _ => "CRITICAL"u8,
    };
}
