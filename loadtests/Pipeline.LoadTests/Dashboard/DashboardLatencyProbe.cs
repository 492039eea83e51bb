using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace Pipeline.LoadTests.Dashboard;

/// <summary>
/// Makes <see cref="DashboardPlan.Robots"/> robots known the way the service learns them (one event of each
/// robot id over TCP, spread over a few connections, as gateways relay a fleet), waits until
/// <c>/api/robots</c> counts them all, then times each of the dashboard's API calls, one request at a time,
/// into an HdrHistogram per call: p50, p99 and max.
/// </summary>
internal sealed class DashboardLatencyProbe(DashboardPlan plan, TextWriter output)
{
    /// <summary>The calls the dashboard makes on each refresh (and two it does not, the unpaged list and stats, for comparison).</summary>
    private static IEnumerable<(string Name, string Path)> Calls(string robot) =>
    [
        ("fleet page (200, status)", "/api/robots?limit=200&offset=0&status=true"),
        ("fleet last page", "/api/robots?limit=200&offset=9800&status=true"),
        ("fleet filter q=", $"/api/robots?limit=200&q={robot[..^1]}&status=true"),
        ("fleet totals (charts)", "/api/robots?limit=0"),
        ("/metrics (charts)", "/metrics"),
        ("robot", $"/api/robots/{robot}"),
        ("robot events", $"/api/robots/{robot}/logs?source=pipeline&limit=50"),
        ("patterns top 25", "/api/patterns?top=25"),
        ("anomalies 25", "/api/patterns/anomalies?limit=25"),
        ("alerts", "/api/alerts"),
        ("silences", "/api/silences"),
        ("unpaged /api/robots (not used)", "/api/robots"),
        ("/api/robots/stats (not used)", "/api/robots/stats"),
    ];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = plan.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (plan.Token is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var started = Stopwatch.GetTimestamp();
        await SendFleetAsync(cancellationToken);
        var known = await WaitForFleetAsync(http, cancellationToken);
        output.WriteLine($"{known} robots known after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; {plan.Requests} requests per call, one at a time");
        output.WriteLine($"{"call",-32} {"status",6} {"bytes",9} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        var slowest = 0.0;
        foreach (var (name, path) in Calls(Robot(plan.Robots / 2)))
        {
            var (status, bytes, histogram) = await TimeAsync(http, path, cancellationToken);
            var p99 = histogram.GetValueAtPercentile(99) / 1e6;
            if (!name.EndsWith("(not used)", StringComparison.Ordinal))
            {
                slowest = Math.Max(slowest, p99);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-32} {status,6} {bytes,9} {histogram.GetValueAtPercentile(50) / 1e6,8:F2} {p99,8:F2} {histogram.GetMaxValue() / 1e6,8:F2}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slowest dashboard call: p99 {slowest:F2} ms (goal: 50 ms)"));
        return slowest <= 50 ? 0 : 1;
    }

    private static string Robot(int index) => "robot-" + index.ToString("D5", CultureInfo.InvariantCulture);

    private async Task SendFleetAsync(CancellationToken cancellationToken)
    {
        var perConnection = (plan.Robots + plan.Connections - 1) / plan.Connections;
        var tasks = new List<Task>();
        for (var c = 0; c < plan.Connections; c++)
        {
            var first = c * perConnection;
            var last = Math.Min(plan.Robots, first + perConnection);
            tasks.Add(SendAsync(first, last, cancellationToken));
        }

        await Task.WhenAll(tasks);
    }

    private async Task SendAsync(int first, int last, CancellationToken cancellationToken)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        await client.ConnectAsync(plan.TcpHost, plan.TcpPort, cancellationToken);
        var lines = new StringBuilder();
        for (var i = first; i < last; i++)
        {
            var level = i % 10 == 0 ? "ERROR" : "INFO";
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"robot_id":"{{{Robot(i)}}}","level":"{{{level}}}","type":"log","msg":"motor temperature {{{40 + (i % 30)}}} C","attrs":{"site":"hall-{{{i % 4}}}"}}""").Append('\n');
        }

        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        client.Client.Shutdown(SocketShutdown.Send);
        // The server closes once it has read everything: then every line is in the graph.
        var buffer = new byte[256];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    private async Task<long> WaitForFleetAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var body = JsonDocument.Parse(await http.GetStringAsync("/api/robots?limit=0", limit.Token));
            var total = body.RootElement.GetProperty("total").GetInt64();
            if (total >= plan.Robots)
            {
                return total;
            }

            // Polling an HTTP API for a count has no signal to wait on; 100 ms steps, bounded by the limit above.
            await Task.Delay(100, limit.Token);
        }
    }

    private async Task<(int Status, long Bytes, LongHistogram Histogram)> TimeAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var histogram = new LongHistogram(TimeSpan.FromSeconds(30).Ticks * 100, 3); // nanoseconds
        var status = 0;
        long bytes = 0;
        for (var i = -10; i < plan.Requests; i++) // 10 warm-up requests first
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(start);
            status = (int)response.StatusCode;
            bytes = body.Length;
            if (i >= 0)
            {
                histogram.RecordValue((long)(elapsed.TotalMilliseconds * 1e6));
            }
        }

        return (status, bytes, histogram);
    }
}
