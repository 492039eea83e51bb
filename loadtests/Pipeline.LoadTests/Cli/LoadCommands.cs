using System.CommandLine;
using Pipeline.LoadTests.Fleet;

namespace Pipeline.LoadTests.Cli;

/// <summary><c>pipeline-load tcp|websocket|rabbitmq-drain|alert-latency|dashboard-latency [options]</c>.</summary>
internal static class LoadCommands
{
    public static RootCommand Create(TextWriter output)
    {
        var root = new RootCommand(
            "pipeline-load: simulates a robot fleet sending events to Pipeline's ingest (events shaped like " +
            "shared/bench/gen_events.py), and reports events/s, bytes/s and per-write latency percentiles " +
            "(HdrHistogram) once per second and at the end. It always stops by itself: after --duration, " +
            "--events, or --timeout. Exit code 0 when every robot connected, sent and was closed cleanly.");
        root.Subcommands.Add(CreateTcp(output));
        root.Subcommands.Add(CreateWebSocket(output));
        root.Subcommands.Add(RabbitMqDrainCommand.Create(output));
        root.Subcommands.Add(AlertLatencyCommand.Create(output));
        root.Subcommands.Add(DashboardLatencyCommand.Create(output));
        return root;
    }

    private static Command CreateTcp(TextWriter output)
    {
        var host = new Option<string>("--host") { Description = "TCP ingest host.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "TCP ingest port (Pipeline:Ingest:TcpEndpoint).", DefaultValueFactory = _ => 5140 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be 1-65535.");
            }
        });
        var fleet = new FleetOptions();
        var command = new Command("tcp", "Each robot opens a TCP connection and writes NDJSON lines.") { host, port };
        fleet.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var (h, p) = (result.GetValue(host)!, result.GetValue(port));
            var plan = fleet.Plan(result, $"tcp {h}:{p}");
            return new FleetRunner(plan, (_, _, ct) => TcpRobotConnection.ConnectAsync(h, p, ct), output).RunAsync(cancellationToken);
        });
        return command;
    }

    private static Command CreateWebSocket(TextWriter output)
    {
        var url = new Option<Uri>("--url", "-u")
        {
            Description = "WebSocket ingest endpoint.",
            DefaultValueFactory = _ => new Uri("ws://127.0.0.1:5080/ingest"),
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss")
                {
                    return uri;
                }

                r.AddError($"--url: '{text}' is not a ws:// or wss:// URL.");
                return null;
            },
        };
        var fleet = new FleetOptions();
        var command = new Command("websocket", "Each robot opens a WebSocket and sends NDJSON lines in text messages.") { url };
        command.Aliases.Add("ws");
        fleet.AddTo(command);
        fleet.AddAcksTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var uri = result.GetValue(url)!;
            var plan = fleet.Plan(result, $"websocket {uri}{(fleet.Acks is var a && result.GetValue(a) ? " with acks" : "")}");
            return new FleetRunner(plan, (index, stats, ct) => plan.Acks
                ? AckedWebSocketConnection.ConnectAsync(uri, $"robot-{index + 1}", stats, ct)
                : WebSocketRobotConnection.ConnectAsync(uri, ct), output).RunAsync(cancellationToken);
        });
        return command;
    }
}
