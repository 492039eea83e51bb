using System.CommandLine;
using Pipeline.LoadTests.Dashboard;

namespace Pipeline.LoadTests.Cli;

/// <summary><c>pipeline-load dashboard-latency --url http://127.0.0.1:5080 --port 5140 --robots 10000</c>.</summary>
internal static class DashboardLatencyCommand
{
    public static Command Create(TextWriter output)
    {
        var url = new Option<Uri>("--url", "-u")
        {
            Description = "The service's HTTP address.",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }

                r.AddError($"--url: '{text}' is not an http:// or https:// URL.");
                return null;
            },
        };
        var host = new Option<string>("--host") { Description = "TCP ingest host.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "TCP ingest port (Pipeline:Ingest:TcpEndpoint).", DefaultValueFactory = _ => 5140 };
        var robots = new Option<int>("--robots") { Description = "Robots to make known, one event each (robot-00000 …).", DefaultValueFactory = _ => 10_000 };
        var connections = new Option<int>("--connections") { Description = "TCP connections the events are spread over.", DefaultValueFactory = _ => 10 };
        var requests = new Option<int>("--requests", "-n") { Description = "Timed requests per call (after 10 warm-up ones).", DefaultValueFactory = _ => 200 };
        var token = new Option<string?>("--token") { Description = "An ops token, when the service needs one (or PIPELINE_TOKEN)." };
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 65535) { r.AddError("--port must be 1-65535."); } });
        robots.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--robots must be at least 1."); } });
        connections.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--connections must be at least 1."); } });
        requests.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--requests must be at least 1."); } });

        var command = new Command("dashboard-latency",
            "Makes --robots robots known over TCP (one event each), then times the dashboard's API calls (fleet page, totals, " +
            "robot, events, patterns, alerts, silences, /metrics) one request at a time with HdrHistogram: p50, p99, max per call. " +
            "Exit 0 when every dashboard call's p99 is within 50 ms, 1 otherwise.")
        {
            url, host, port, robots, connections, requests, token,
        };
        command.SetAction((result, cancellationToken) => new DashboardLatencyProbe(new DashboardPlan
        {
            Url = result.GetValue(url)!,
            TcpHost = result.GetValue(host)!,
            TcpPort = result.GetValue(port),
            Robots = result.GetValue(robots),
            Connections = result.GetValue(connections),
            Requests = result.GetValue(requests),
            Token = result.GetValue(token) ?? Environment.GetEnvironmentVariable("PIPELINE_TOKEN"),
        }, output).RunAsync(cancellationToken));
        return command;
    }
}
