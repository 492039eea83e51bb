using System.Text;

namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>Values that span several whitespace-separated tokens: dates, data sizes, HTTP request targets.</summary>
internal sealed partial class MessageTokenizer
{
    /// <summary>
    /// <c>[Fri] Jun 17 07:07:00 [PDT] [2005]</c> and <c>2017-05-16 05:00:00</c> are one value. Needs a month
    /// name and a day followed by a time or a year, so the word "May" alone stays a word.
    /// </summary>
    private static int TryDate(ReadOnlySpan<byte> message, TokenizedMessage m, int i)
    {
        var first = RawToken(message, m, i);
        if (first.IsEmpty)
        {
            return 0;
        }

        var j = i;
        var core = Core(first, out var lead, out _);
        if (core.Length is < 3 or > 10)
        {
            return 0;
        }

        if (IsIsoDate(core))
        {
            if (!IsTime(Core(RawToken(message, m, i + 1), out _, out _)))
            {
                return 0;
            }

            j = i + 2;
        }
        else
        {
            if (!ByteClass.IsAsciiLetter(core[0]))
            {
                return 0;
            }

            // The day number first: it is the cheapest test and rules out nearly every word.
            if (!IsDayOfMonth(Core(RawToken(message, m, j + 1), out _, out _)))
            {
                if (!IsDayOfMonth(Core(RawToken(message, m, j + 2), out _, out _)) || !IsDayName(core))
                {
                    return 0;
                }

                j++;
            }

            if (!IsMonthName(Core(RawToken(message, m, j), out _, out _)))
            {
                return 0;
            }

            j += 2;
            var hasTime = IsTime(Core(RawToken(message, m, j), out _, out _));
            if (hasTime)
            {
                j++;
                if (IsZone(Core(RawToken(message, m, j), out _, out _)))
                {
                    j++;
                }
            }

            var hasYear = IsYear(Core(RawToken(message, m, j), out _, out _));
            if (hasYear)
            {
                j++;
            }

            if (!hasTime && !hasYear)
            {
                return 0;
            }
        }

        Core(RawToken(message, m, j - 1), out _, out var trail);
        EmitWildcard(m, first[..lead], RawToken(message, m, j - 1)[^trail..]);
        return j - i;
    }

    /// <summary>
    /// A data size is one value: <c>5.2 KB</c>, <c>1190 bytes (1.16 KB)</c>, and a bounded amount such as
    /// <c>&lt;1 sec</c>.
    /// </summary>
    private static int TryQuantity(ReadOnlySpan<byte> message, TokenizedMessage m, int i)
    {
        var first = RawToken(message, m, i);
        var core = Core(first, out var lead, out var trail);
        if (trail != 0 || core.IsEmpty)
        {
            return 0;
        }

        var bounded = core[0] is (byte)'<' or (byte)'>' or (byte)'~';
        if (!IsNumber(bounded ? core[1..] : core))
        {
            return 0;
        }

        var unitToken = RawToken(message, m, i + 1);
        var unit = Core(unitToken, out var unitLead, out var unitTrail);
        if (unitLead != 0 || !(IsSizeUnit(unit) || (bounded && IsTimeUnit(unit))))
        {
            return 0;
        }

        var used = 2;
        var last = unitToken;
        var lastTrail = unitTrail;
        if (unitTrail == 0)
        {
            // "1190 bytes (1.16 KB)": the same amount again in other units.
            var again = RawToken(message, m, i + 2);
            var againUnit = RawToken(message, m, i + 3);
            if (again.Length > 1 && again[0] == '(' && IsNumber(again[1..]))
            {
                var u = Core(againUnit, out var uLead, out var uTrail);
                if (uLead == 0 && uTrail > 0 && againUnit[^uTrail] == ')' && IsSizeUnit(u))
                {
                    used = 4;
                    last = againUnit[(againUnit.Length - uTrail + 1)..];
                    lastTrail = last.Length;
                }
            }
        }

        EmitWildcard(m, first[..lead], last[^lastTrail..]);
        return used;
    }

    /// <summary>An HTTP request target and its protocol (<c>/v2/servers HTTP/1.1"</c>) are one value.</summary>
    private static int TryRequestTarget(ReadOnlySpan<byte> message, TokenizedMessage m, int i)
    {
        var target = RawToken(message, m, i);
        if (target.Length < 2 || !(target[0] == '/' || target.IndexOf("://"u8) > 0) || ContainsQuote(target))
        {
            return 0;
        }

        var protocol = RawToken(message, m, i + 1);
        if (protocol.Length < 6 || !protocol.StartsWith("HTTP/"u8) || !ByteClass.IsDigit(protocol[5]))
        {
            return 0;
        }

        var e = 5;
        while (e < protocol.Length && (ByteClass.IsDigit(protocol[e]) || protocol[e] == '.'))
        {
            e++;
        }

        EmitWildcard(m, default, protocol[e..]);
        return 2;
    }

    private static bool ContainsQuote(ReadOnlySpan<byte> t) => t.IndexOfAny((byte)'"', (byte)'\'') >= 0;

    /// <summary>The token without leading opening brackets/quotes and trailing closing punctuation.</summary>
    private static ReadOnlySpan<byte> Core(ReadOnlySpan<byte> token, out int lead, out int trail)
    {
        lead = 0;
        while (lead < token.Length && token[lead] is (byte)'(' or (byte)'[' or (byte)'{' or (byte)'"' or (byte)'\'')
        {
            lead++;
        }

        var end = token.Length;
        while (end > lead && token[end - 1] is (byte)')' or (byte)']' or (byte)'}' or (byte)'"' or (byte)'\'' or (byte)',' or (byte)';' or (byte)'.' or (byte)':')
        {
            end--;
        }

        trail = token.Length - end;
        return token[lead..end];
    }

    private static bool IsNumber(ReadOnlySpan<byte> s)
    {
        if (!s.IsEmpty && s[0] is (byte)'-' or (byte)'+')
        {
            s = s[1..];
        }

        var digits = 0;
        var dot = false;
        foreach (var b in s)
        {
            if (ByteClass.IsDigit(b))
            {
                digits++;
            }
            else if (b == '.' && !dot && digits > 0)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }

        return digits > 0 && s[^1] != '.';
    }

    private static bool IsSizeUnit(ReadOnlySpan<byte> u) =>
        u.SequenceEqual("B"u8) || u.SequenceEqual("bytes"u8) || u.SequenceEqual("Bytes"u8) ||
        (u.Length is 2 or 3 && u[^1] == 'B' && (u.Length == 2 || u[1] == 'i') && u[0] is (byte)'K' or (byte)'k' or (byte)'M' or (byte)'G' or (byte)'T' or (byte)'P');

    private static bool IsTimeUnit(ReadOnlySpan<byte> u) =>
        u.SequenceEqual("ms"u8) || u.SequenceEqual("s"u8) || u.SequenceEqual("sec"u8) || u.SequenceEqual("secs"u8) ||
        u.SequenceEqual("second"u8) || u.SequenceEqual("seconds"u8) || u.SequenceEqual("min"u8) || u.SequenceEqual("mins"u8) ||
        u.SequenceEqual("minutes"u8) || u.SequenceEqual("h"u8) || u.SequenceEqual("hours"u8) || u.SequenceEqual("us"u8) ||
        u.SequenceEqual("ns"u8) || u.SequenceEqual("days"u8);

    private static bool IsIsoDate(ReadOnlySpan<byte> s) =>
        s.Length == 10 && ByteClass.IsDigit(s[0]) && ByteClass.IsDigit(s[3]) && s[4] is (byte)'-' or (byte)'/' && s[7] == s[4]
        && ByteClass.IsDigit(s[5]) && ByteClass.IsDigit(s[6]) && ByteClass.IsDigit(s[8]) && ByteClass.IsDigit(s[9]);

    /// <summary>HH:MM, HH:MM:SS, with optional fraction.</summary>
    private static bool IsTime(ReadOnlySpan<byte> s)
    {
        if (s.Length < 5 || !ByteClass.IsDigit(s[0]) || !ByteClass.IsDigit(s[1]) || s[2] != ':' || !ByteClass.IsDigit(s[3]) || !ByteClass.IsDigit(s[4]))
        {
            return false;
        }

        foreach (var b in s[5..])
        {
            if (!ByteClass.IsDigit(b) && b is not ((byte)':' or (byte)'.' or (byte)','))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDayOfMonth(ReadOnlySpan<byte> s) =>
        s.Length is 1 or 2 && ByteClass.IsDigit(s[0]) && (s.Length == 1 || ByteClass.IsDigit(s[1]));

    private static bool IsYear(ReadOnlySpan<byte> s) =>
        s.Length == 4 && ByteClass.IsDigit(s[0]) && ByteClass.IsDigit(s[1]) && ByteClass.IsDigit(s[2]) && ByteClass.IsDigit(s[3]);

    /// <summary>A time zone abbreviation (PDT, UTC, CEST) or offset (+0200).</summary>
    private static bool IsZone(ReadOnlySpan<byte> s)
    {
        if (s.Length == 5 && s[0] is (byte)'+' or (byte)'-')
        {
            return !s[1..].ContainsAnyExcept("0123456789"u8);
        }

        if (s.Length is < 3 or > 4)
        {
            return false;
        }

        foreach (var b in s)
        {
            if ((uint)(b - 'A') > 'Z' - 'A')
            {
                return false;
            }
        }

        return true;
    }

    private static readonly byte[][] MonthNames = Names(
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        "January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December");

    private static readonly byte[][] DayNames = Names(
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

    private static bool IsMonthName(ReadOnlySpan<byte> s) => IsOneOf(s, MonthNames);

    private static bool IsDayName(ReadOnlySpan<byte> s) => IsOneOf(s, DayNames);

    private static bool IsOneOf(ReadOnlySpan<byte> s, byte[][] names)
    {
        if (s.Length < 3 || !ByteClass.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var name in names)
        {
            if (Ascii.EqualsIgnoreCase(s, name))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[][] Names(params string[] names)
    {
        var result = new byte[names.Length][];
        for (var i = 0; i < names.Length; i++)
        {
            result[i] = Encoding.ASCII.GetBytes(names[i]);
        }

        return result;
    }
}
