using System.CommandLine;
using Pipeline.LoadTests.Latency;

namespace Pipeline.LoadTests.Cli;

/// <summary><c>pipeline-load alert-latency --port 5140 --listen http://127.0.0.1:5499/ [options]</c>.</summary>
internal static class AlertLatencyCommand
{
    public static Command Create(TextWriter output)
    {
        var host = new Option<string>("--host") { Description = "TCP ingest host.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "TCP ingest port (Pipeline:Ingest:TcpEndpoint).", DefaultValueFactory = _ => 5140 };
        var listen = new Option<string>("--listen")
        {
            Description = "Where the webhook receiver listens (an HttpListener prefix, ending in '/'): the alert channel's Url.",
            DefaultValueFactory = _ => "http://127.0.0.1:5499/",
        };
        var probes = new Option<int>("--probes", "-n") { Description = "Probe events to send, one robot (probe-N) each.", DefaultValueFactory = _ => 200 };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "Time between probes (250ms, 1s).",
            DefaultValueFactory = _ => TimeSpan.FromMilliseconds(250),
            CustomParser = DurationParser.Parse,
        };
        var background = new Option<int>("--background-rate") { Description = "Events per second no probe rule matches, on a connection of their own; 0 = none.", DefaultValueFactory = _ => 0 };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for notifications after the last probe.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
            CustomParser = DurationParser.Parse,
        };
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 65535) { r.AddError("--port must be 1-65535."); } });
        probes.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--probes must be at least 1."); } });
        background.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--background-rate must be 0 or more."); } });
        listen.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>() ?? "";
            if (!text.EndsWith('/') || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                r.AddError($"--listen '{text}' must be an http:// prefix ending in '/', e.g. http://127.0.0.1:5499/.");
            }
        });

        var command = new Command("alert-latency",
            "Measures event → notification latency: sends probe events (type alert_probe, robot probe-N, level CRITICAL) over TCP " +
            "and receives the alert channel's webhook (Alertmanager JSON v4) itself; reports p50/p90/p99/max from the probe's write " +
            "to its notification's arrival. Configure a rule matching type alert_probe grouped by robot_id with a Webhook channel " +
            "whose Url is --listen (see perf/e2e/alert-latency.sh). Exit 0: every probe notified; 1: some were not within --timeout; 2: cannot listen or connect.")
        {
            host, port, listen, probes, interval, background, timeout,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var plan = new LatencyPlan
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                Listen = result.GetValue(listen)!,
                Probes = result.GetValue(probes),
                Interval = result.GetValue(interval),
                BackgroundRate = result.GetValue(background),
                Timeout = result.GetValue(timeout),
            };
            return new AlertLatencyProbe(plan, output).RunAsync(cancellationToken);
        });
        return command;
    }
}
