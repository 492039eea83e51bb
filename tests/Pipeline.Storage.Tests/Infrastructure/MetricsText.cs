using System.Globalization;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>Reads a value from the Prometheus text exposition, so tests check the names in DESIGN.md.</summary>
internal static class MetricsText
{
    /// <returns>The sample's value, or null when the exposition has no such series.</returns>
    public static async Task<double?> ValueAsync(PipelineMetrics metrics, string name, params (string Name, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        await metrics.WriteAsync(stream, CancellationToken.None);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[name.Length..];
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (rest.StartsWith('{'))
            {
                var close = rest.IndexOf('}', StringComparison.Ordinal);
                foreach (var pair in rest[1..close].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    set.Add(pair);
                }

                rest = rest[(close + 1)..];
            }
            else if (!rest.StartsWith(' '))
            {
                continue; // a longer name with the same prefix
            }

            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (labelName, value) in labels)
            {
                wanted.Add($"{labelName}=\"{value}\"");
            }

            if (set.SetEquals(wanted))
            {
                return double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
