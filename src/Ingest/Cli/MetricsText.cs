using System.Globalization;

namespace Pipeline.Ingest.Cli;

/// <summary>One scrape of <c>/metrics</c> (Prometheus text format) as series → value, for <c>pipeline top</c>.</summary>
internal sealed class MetricsText
{
    private readonly Dictionary<string, List<(Dictionary<string, string> Labels, double Value)>> _series = new(StringComparer.Ordinal);

    public static MetricsText Parse(string text)
    {
        var metrics = new MetricsText();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? series : series[..brace];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0)
            {
                foreach (var pair in series[(brace + 1)..^1].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                    }
                }
            }

            if (!metrics._series.TryGetValue(name, out var list))
            {
                metrics._series[name] = list = [];
            }

            list.Add((labels, value));
        }

        return metrics;
    }

    /// <summary>Each series of <paramref name="name"/> whose labels include <paramref name="where"/> (label=value), by the value of <paramref name="by"/>.</summary>
    public SortedDictionary<string, double> By(string name, string by, params (string Label, string Value)[] where)
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (!_series.TryGetValue(name, out var list))
        {
            return result;
        }

        foreach (var (labels, value) in list)
        {
            var ok = true;
            foreach (var (label, wanted) in where)
            {
                ok &= labels.TryGetValue(label, out var v) && v == wanted;
            }

            if (ok && labels.TryGetValue(by, out var key))
            {
                result[key] = result.GetValueOrDefault(key) + value;
            }
        }

        return result;
    }

    /// <summary>The sum of every series of <paramref name="name"/> (0 when it has none).</summary>
    public double Sum(string name)
    {
        double sum = 0;
        if (_series.TryGetValue(name, out var list))
        {
            foreach (var (_, value) in list)
            {
                sum += value;
            }
        }

        return sum;
    }
}
