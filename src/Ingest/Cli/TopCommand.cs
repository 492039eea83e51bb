using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// <c>pipeline top</c>: a terminal view of the running service, refreshed each second from <c>/metrics</c>, <c>/readyz</c>
/// and <c>/api/alerts</c>: events/s per protocol and per block, queue depths, sink states and spooled events, robots
/// online, firing alerts, tail viewers. <c>--once</c> prints one frame (two scrapes a second apart) and exits.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var once = new Option<bool>("--once") { Description = "Print one frame (rates over one second) and exit, instead of refreshing until Ctrl-C." };
        var command = new Command("top",
            "A live view of the running service, refreshed every second: events/s per protocol and per block, queue depths, " +
            "sink states and spooled events, robots online, firing alerts, tail viewers. Exit 0 (at Ctrl-C, or after one " +
            "frame with --once); 1 when the service cannot be reached or refuses the ops token. Example: pipeline top --once")
        {
            url, token, once,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var api = ApiClient.Create(result.GetValue(url)!, result.GetValue(token));
            var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            try
            {
                var (before, problem) = await ScrapeAsync(api, cancellationToken).ConfigureAwait(false);
                var at = DateTimeOffset.UtcNow;
                while (problem is null)
                {
                    await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                    var (now, failure) = await ScrapeAsync(api, cancellationToken).ConfigureAwait(false);
                    if (failure is not null)
                    {
                        problem = failure;
                        break;
                    }

                    var seconds = Math.Max((DateTimeOffset.UtcNow - at).TotalSeconds, 0.001);
                    at = DateTimeOffset.UtcNow;
                    var frame = new StringWriter(CultureInfo.InvariantCulture);
                    await WriteFrameAsync(frame, api, before!, now!, seconds, cancellationToken).ConfigureAwait(false);
                    if (terminal)
                    {
                        await output.WriteAsync("\u001b[H\u001b[2J").ConfigureAwait(false);
                    }

                    await output.WriteAsync(frame.ToString()).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (result.GetValue(once))
                    {
                        return 0;
                    }

                    before = now;
                }

                await error.WriteLineAsync($"pipeline top: {problem}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
        });
        return command;
    }

    private static async Task<(MetricsText? Metrics, string? Error)> ScrapeAsync(ApiClient api, CancellationToken cancellationToken)
    {
        var (text, error) = await api.GetTextAsync("/metrics", cancellationToken).ConfigureAwait(false);
        return text is null ? (null, error) : (MetricsText.Parse(text), null);
    }

    private static async Task WriteFrameAsync(TextWriter frame, ApiClient api, MetricsText before, MetricsText now, double seconds, CancellationToken cancellationToken)
    {
        using var ready = await api.SendAsync(HttpMethod.Get, "/readyz", cancellationToken).ConfigureAwait(false);
        var readiness = ready.Body?.RootElement is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("ready", out var ok)
            ? (ok.GetBoolean() ? "ready" : "NOT READY") : "readiness unknown";
        frame.WriteLine($"pipeline top — {api.BaseUrl} — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z — {readiness}");
        frame.WriteLine();

        var events = now.By("pipeline_ingest_events_total", "protocol");
        var eventsBefore = before.By("pipeline_ingest_events_total", "protocol");
        var connections = now.By("pipeline_ingest_connections", "protocol");
        var rows = new List<string[]>();
        foreach (var (protocol, total) in events)
        {
            rows.Add([protocol, Rate(total - eventsBefore.GetValueOrDefault(protocol), seconds), Count(total),
                Count(connections.GetValueOrDefault(protocol))]);
        }

        TablePrinter.Print(frame, ["PROTOCOL", "EVENTS/S", "EVENTS", "CONNECTIONS"], rows);
        frame.WriteLine();

        var into = now.By("pipeline_component_events_total", "component", ("direction", "in"));
        var intoBefore = before.By("pipeline_component_events_total", "component", ("direction", "in"));
        var outOf = now.By("pipeline_component_events_total", "component", ("direction", "out"));
        var outBefore = before.By("pipeline_component_events_total", "component", ("direction", "out"));
        var depth = now.By("pipeline_block_queue_depth", "block");
        rows = [];
        foreach (var name in into.Keys.Union(depth.Keys).Order(StringComparer.Ordinal))
        {
            rows.Add([name, Rate(into.GetValueOrDefault(name) - intoBefore.GetValueOrDefault(name), seconds),
                Rate(outOf.GetValueOrDefault(name) - outBefore.GetValueOrDefault(name), seconds),
                depth.TryGetValue(name, out var d) ? Count(d) : "-"]);
        }

        TablePrinter.Print(frame, ["BLOCK", "IN/S", "OUT/S", "QUEUE"], rows);
        frame.WriteLine();

        var written = now.By("pipeline_sink_written_events_total", "sink");
        var writtenBefore = before.By("pipeline_sink_written_events_total", "sink");
        var spooled = now.By("pipeline_sink_spooled_events_total", "sink");
        var pending = now.By("pipeline_sink_spool_pending_events", "sink");
        var spoolBytes = now.By("pipeline_sink_spool_bytes", "sink");
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (ready.Body?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("sinks", out var sinks))
        {
            foreach (var sink in sinks.EnumerateObject())
            {
                states[sink.Name] = sink.Value.GetString() ?? "";
            }
        }

        rows = [];
        foreach (var name in states.Keys.Union(written.Keys).Order(StringComparer.Ordinal))
        {
            rows.Add([name, states.GetValueOrDefault(name, "-"), Rate(written.GetValueOrDefault(name) - writtenBefore.GetValueOrDefault(name), seconds),
                Count(written.GetValueOrDefault(name)), Count(spooled.GetValueOrDefault(name)),
                pending.TryGetValue(name, out var p) ? Count(p) : "-", spoolBytes.TryGetValue(name, out var b) ? Count(b) : "-"]);
        }

        // SPOOLED: events spooled since the start; SPOOL NOW / SPOOL BYTES: what waits in the spool to be replayed.
        TablePrinter.Print(frame, ["SINK", "STATE", "WRITTEN/S", "WRITTEN", "SPOOLED", "SPOOL NOW", "SPOOL BYTES"], rows);
        frame.WriteLine();

        frame.WriteLine($"robots online: {Count(now.Sum("pipeline_robots_online"))}   tail viewers: {Count(now.Sum("pipeline_tail_subscribers"))}" +
            $" (dropped {Count(now.Sum("pipeline_tail_dropped_events_total"))})");
        await WriteAlertsAsync(frame, api, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAlertsAsync(TextWriter frame, ApiClient api, CancellationToken cancellationToken)
    {
        using var alerts = await api.SendAsync(HttpMethod.Get, "/api/alerts", cancellationToken).ConfigureAwait(false);
        if (alerts.Status == System.Net.HttpStatusCode.NotFound)
        {
            frame.WriteLine("alerts: off (no rules configured)");
            return;
        }

        if (alerts.Error is { } problem || alerts.Body?.RootElement is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("active", out var active))
        {
            frame.WriteLine($"alerts: unknown ({alerts.Error ?? "no active list"})");
            return;
        }

        var firing = new List<string>();
        foreach (var a in active.EnumerateArray())
        {
            if (a.TryGetProperty("state", out var state) && state.GetString() == "firing")
            {
                firing.Add($"  {a.GetProperty("rule").GetString()} {a.GetProperty("group_key").GetString()}");
            }
        }

        frame.WriteLine($"alerts firing: {firing.Count}");
        foreach (var line in firing)
        {
            frame.WriteLine(line);
        }
    }

    private static string Rate(double delta, double seconds) => (Math.Max(delta, 0) / seconds).ToString("0", CultureInfo.InvariantCulture);

    private static string Count(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
