using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.Ingest.Http;

/// <summary>
/// <c>GET /api/patterns?top=N</c> (the most frequent templates: count, first/last seen, rate, an example) and
/// <c>GET /api/patterns/anomalies?limit=N</c> (the latest anomalies, newest first). Both read live state
/// shared with the pattern-mine block; neither blocks it.
/// </summary>
internal static class PatternEndpoints
{
    public const int DefaultTop = 50;
    public const int MaxTop = 1000;
    public const int DefaultLimit = 100;

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/patterns", (HttpContext context) => Templates(context));
        app.MapGet("/api/patterns/anomalies", (HttpContext context) => Anomalies(context));
    }

    private static IResult Templates(HttpContext context)
    {
        var miner = context.RequestServices.GetService<TemplateMiner>();
        if (miner is null)
        {
            return Error(404, "pattern mining is off; set Pipeline:PatternMine:Enabled=true (the default) to mine templates.");
        }

        if (!TryReadCount(context, "top", DefaultTop, MaxTop, out var top, out var error))
        {
            return error;
        }

        // Counts move while the block runs: sort on one reading of each (a comparer reading live counts
        // would be inconsistent, and Array.Sort may throw on that).
        var templates = miner.GetTemplates();
        var counts = Array.ConvertAll(templates, t => (Count: t.Count, t.Id));
        Array.Sort(counts, templates, Comparer<(long Count, ulong Id)>.Create(static (a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : a.Id.CompareTo(b.Id)));
        var shown = new ArraySegment<PatternTemplate>(templates, 0, Math.Min(top, templates.Length));
        var rates = context.RequestServices.GetService<PatternAnomalyDetector>()?.RatesPerSecond(shown) ?? new double?[shown.Count];

        return Body(200, json =>
        {
            json.WriteStartArray("templates");
            for (var i = 0; i < shown.Count; i++)
            {
                var t = shown[i];
                json.WriteStartObject();
                JsonIds.Write(json, "id", t.Id);
                json.WriteString("id_hex", t.Id.ToString("x16", CultureInfo.InvariantCulture));
                json.WriteString("template", t.Text);
                json.WriteNumber("count", counts[i].Count);
                Time(json, "first_seen", t.FirstSeenAt);
                Time(json, "last_seen", t.LastSeenAt);
                if (rates[i] is { } rate)
                {
                    json.WriteNumber("rate_per_s", Math.Round(rate, 3));
                }
                else
                {
                    json.WriteNull("rate_per_s");
                }

                json.WriteString("example", t.Example);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("total_templates", templates.Length);
            json.WriteNumber("evicted", miner.EvictedCount);
        });
    }

    private static IResult Anomalies(HttpContext context)
    {
        if (context.RequestServices.GetService<TemplateMiner>() is null)
        {
            return Error(404, "pattern mining is off; set Pipeline:PatternMine:Enabled=true (the default) to mine templates and detect anomalies.");
        }

        var detector = context.RequestServices.GetService<PatternAnomalyDetector>();
        if (detector is null)
        {
            return Error(404, "anomaly detection is off; set Pipeline:PatternMine:Anomalies:Enabled=true (the default) to detect anomalies.");
        }

        if (!TryReadCount(context, "limit", DefaultLimit, detector.Options.RecentCapacity, out var limit, out var error))
        {
            return error;
        }

        var anomalies = detector.Recent(limit);
        return Body(200, json =>
        {
            json.WriteStartArray("anomalies");
            foreach (var a in anomalies)
            {
                json.WriteStartObject();
                json.WriteString("kind", a.Kind.Name());
                json.WriteString("time", a.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                if (a.Template is not null)
                {
                    JsonIds.Write(json, "template_id", a.TemplateId);
                    json.WriteString("template_id_hex", a.TemplateId.ToString("x16", CultureInfo.InvariantCulture));
                    json.WriteString("template", a.Template);
                }

                if (a.RobotId is not null)
                {
                    json.WriteString("robot_id", a.RobotId);
                }

                json.WriteNumber("value", a.Value);
                json.WriteNumber("baseline", Math.Round(a.Baseline, 3));
                json.WriteString("message", a.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    /// <summary>Reads an optional positive integer query parameter; a bad one is a 400 that says what is allowed.</summary>
    private static bool TryReadCount(HttpContext context, string name, int fallback, int max, out int value, out IResult error)
    {
        error = Results.Empty;
        value = fallback;
        var values = context.Request.Query[name];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is >= 1 && value <= max)
        {
            return true;
        }

        error = Error(400, $"'{name}' must be a whole number from 1 to {max} (default {fallback}); got '{values}'.");
        return false;
    }

    private static void Time(Utf8JsonWriter json, string name, long unixMs)
    {
        if (unixMs == 0)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteString(name, DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    private static IResult Error(int status, string message) => ApiResponses.Error(status, message);

    private static IResult Body(int status, Action<Utf8JsonWriter> write) => ApiResponses.Body(status, write);
}
