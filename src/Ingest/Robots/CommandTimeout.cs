using System.Globalization;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Robots;

/// <summary>A command's deadline as people write it: <c>10s</c>, <c>500ms</c>, <c>2m</c>, a number of seconds, or <c>00:00:10</c>; more than 0, at most 5 min.</summary>
internal static class CommandTimeout
{
    /// <returns>null when <paramref name="text"/> is a good deadline, else what is wrong (to follow the option's name).</returns>
    public static string? Parse(string text, out TimeSpan timeout)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            timeout = Math.Abs(seconds) < RobotsOptions.MaxCommandTimeout.TotalSeconds * 1000 ? TimeSpan.FromSeconds(seconds) : TimeSpan.MaxValue;
        }
        else if (!TimeArgument.TryParseDuration(text, out timeout) && !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out timeout))
        {
            return $"must be a duration like 10s, 500ms or 2m (got '{text}').";
        }

        return timeout <= TimeSpan.Zero || timeout > RobotsOptions.MaxCommandTimeout
            ? $"must be more than 0 and at most {RobotsOptions.MaxCommandTimeout.TotalMinutes:0} min (got '{text}')."
            : null;
    }
}
