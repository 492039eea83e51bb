using System.CommandLine.Parsing;
using System.Globalization;

namespace Pipeline.LoadTests.Cli;

/// <summary>Durations as people write them: <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, or <c>00:00:30</c>.</summary>
internal static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (null, 0),
        };

        if (number is not null)
        {
            var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 &&
                     value * scale < TimeSpan.MaxValue.TotalSeconds;
            duration = ok ? TimeSpan.FromSeconds(value * scale) : default;
            return ok;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    /// <summary>For <c>Option&lt;TimeSpan&gt;.CustomParser</c>: reports a bad value as a parse error naming the option.</summary>
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var duration))
        {
            return duration;
        }

        var name = result.Parent is OptionResult option ? option.Option.Name : "duration";
        result.AddError($"{name}: '{text}' is not a duration; write e.g. 30s, 500ms, 2m, 1h or 00:00:30.");
        return default;
    }
}
