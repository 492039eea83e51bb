using System.Globalization;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>--since/--until values: a duration back from now (<c>30m</c>, <c>24h</c>, <c>7d</c>, <c>1h30m</c>) or an RFC 3339 time.</summary>
internal static class TimeArgument
{
    public const string Help = "a duration back from now (500ms, 90s, 30m, 24h, 7d, 1h30m) or an RFC 3339 time (2026-11-23T14:00:00Z)";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        if (TryParseDuration(text, out var duration))
        {
            time = now - duration;
            return true;
        }

        // RFC 3339 needs a date and a time; a bare number or word is not a time.
        if (text.Length >= 10 && char.IsAsciiDigit(text[0]) && text.Contains('-', StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }

        time = default;
        return false;
    }

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var i = 0;
        if (text.Length == 0)
        {
            return false;
        }

        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || i - start > 9)
            {
                return false;
            }

            var value = long.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            TimeSpan unit;
            switch (text[i])
            {
                case 's': unit = TimeSpan.FromSeconds(1); break;
                case 'm' when i + 1 < text.Length && text[i + 1] == 's': unit = TimeSpan.FromMilliseconds(1); i++; break;
                case 'm': unit = TimeSpan.FromMinutes(1); break;
                case 'h': unit = TimeSpan.FromHours(1); break;
                case 'd': unit = TimeSpan.FromDays(1); break;
                case 'w': unit = TimeSpan.FromDays(7); break;
                default: return false;
            }

            i++;
            duration += unit * value;
        }

        return true;
    }
}
