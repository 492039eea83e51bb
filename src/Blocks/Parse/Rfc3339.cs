namespace Pipeline.Blocks.Parse;

/// <summary>
/// Parses RFC 3339 timestamps from UTF-8 without allocating: <c>2026-11-23T12:00:00.123Z</c>,
/// any number of fraction digits, <c>T</c>/<c>t</c>/space, <c>Z</c> or <c>±hh:mm</c>
/// (a missing offset is read as UTC, since robots often omit it).
/// </summary>
public static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<byte> s, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
            s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!TryDigits(s, 0, 4, out var year) || !TryDigits(s, 5, 2, out var month) || !TryDigits(s, 8, 2, out var day) ||
            !TryDigits(s, 11, 2, out var hour) || !TryDigits(s, 14, 2, out var minute) || !TryDigits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var i = 19;
        long fractionMs = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            var scale = 100;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                fractionMs += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        long offsetMinutes = 0;
        if (i < s.Length)
        {
            var c = s[i];
            if (c is (byte)'Z' or (byte)'z')
            {
                i++;
            }
            else if (c is (byte)'+' or (byte)'-')
            {
                if (s.Length - i < 6 || s[i + 3] != ':' || !TryDigits(s, i + 1, 2, out var oh) || !TryDigits(s, i + 4, 2, out var om) ||
                    oh > 23 || om > 59)
                {
                    return false;
                }

                offsetMinutes = (oh * 60 + om) * (c == '+' ? 1 : -1);
                i += 6;
            }
            else
            {
                return false;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        // A leap second (:60) is folded onto the next second, as most systems do.
        var days = DaysSinceEpoch(year, month, day);
        unixMilliseconds = (((days * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second) * 1000 + fractionMs;
        return true;
    }

    private static long DaysSinceEpoch(int year, int month, int day)
    {
        // Howard Hinnant's days_from_civil.
        var y = month <= 2 ? year - 1 : year;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = value * 10 + (int)d;
        }

        return true;
    }
}
