using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// <c>pipeline robots list | show ID | command ID CMD | stats</c>: the fleet as the running service sees it, over
/// <c>/api/robots</c> (see <c>Http/RobotEndpoints</c>). Tables by default; <c>--json</c> prints the API's body as it came.
/// </summary>
internal static partial class RobotsCommand
{
    /// <summary>The width of the keys of <c>show</c> and <c>stats</c>, so their values line up.</summary>
    private const int KeyWidth = 20;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("robots",
            "The fleet, from the running service's /api/robots: who is connected (list), one robot in detail (show), a command " +
            "sent to a robot and its answer (command), connection and command statistics (stats).")
        {
            CreateList(output, error),
            CreateShow(output, error),
            CreateCommand(output, error),
            CreateStats(output, error),
        };
        return command;
    }

    private static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the API's JSON body as it came (one document) instead of tables.",
    };

    private static Command CreateList(TextWriter output, TextWriter error) =>
        CreateGet("list",
            "Prints every robot the service knows (GET /api/robots): online or offline, its session number, when it was last " +
            "heard from, its address, and its events and errors in the last hour; then how many are online. Exit 0; 1 when the " +
            "service cannot be reached or refuses the ops token. Example: pipeline robots list --url http://127.0.0.1:5080",
            "/api/robots", PrintList, output, error);

    /// <summary>A verb without arguments that GETs <paramref name="path"/> and prints it (tables, or <c>--json</c>).</summary>
    private static Command CreateGet(string name, string description, string path, Action<TextWriter, JsonElement> print, TextWriter output,
        TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var json = JsonOption();
        var command = new Command(name, description) { url, token, json };
        command.SetAction((result, cancellationToken) => GetAsync(result, url, token, json, name, path, output, error, print, cancellationToken));
        return command;
    }

    private static Command CreateShow(TextWriter output, TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var json = JsonOption();
        var id = new Argument<string>("ID") { Description = "The robot's id (its robot_id)." };
        var command = new Command("show",
            "Prints one robot (GET /api/robots/{id}): presence, session, last seen, address, events and errors in the last hour, " +
            "its commands (in flight, sent, succeeded, failed, timed out, average send and execute times), its open connections, " +
            "and the last-known status, config and logs with their age (stale past their TTL). Exit 0; 1 when there is no such " +
            "robot, or the service cannot be reached or refuses the ops token. Example: pipeline robots show r-7")
        {
            id, url, token, json,
        };
        command.SetAction((result, cancellationToken) =>
            GetAsync(result, url, token, json, "show", "/api/robots/" + Uri.EscapeDataString(result.GetValue(id)!), output, error, PrintShow,
                cancellationToken));
        return command;
    }

    /// <summary>A GET verb: the body as it came with <c>--json</c>, else <paramref name="print"/>; the service's error on stderr (exit 1).</summary>
    private static async Task<int> GetAsync(ParseResult result, Option<Uri> url, Option<string?> token, Option<bool> json, string verb, string path,
        TextWriter output, TextWriter error, Action<TextWriter, JsonElement> print, CancellationToken cancellationToken)
    {
        using var api = ApiClient.Create(result.GetValue(url)!, result.GetValue(token));
        using var reply = await api.SendAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } problem)
        {
            // A 404 of a robot says which robot and how to find the known ones: that text, not the address and status.
            var message = reply.Status == HttpStatusCode.NotFound && reply.ServiceError is { } own ? own : problem;
            await error.WriteLineAsync($"pipeline robots {verb}: {message}").ConfigureAwait(false);
            return 1;
        }

        if (reply.Body is not { } body)
        {
            await error.WriteLineAsync($"pipeline robots {verb}: {new Uri(api.BaseUrl, path)} answered {(int?)reply.Status} without a JSON body").ConfigureAwait(false);
            return 1;
        }

        if (result.GetValue(json))
        {
            await output.WriteLineAsync(body.RootElement.GetRawText()).ConfigureAwait(false);
            return 0;
        }

        print(output, body.RootElement);
        return 0;
    }

    private static void PrintList(TextWriter output, JsonElement root)
    {
        var rows = new List<string[]>();
        foreach (var robot in root.GetProperty("robots").EnumerateArray())
        {
            rows.Add([
                Text(robot, "robot_id"),
                robot.GetProperty("online").GetBoolean() ? "online" : "offline",
                Number(robot, "session"),
                robot.TryGetProperty("last_seen_seconds_ago", out var ago) ? Ago(ago.GetDouble()) : "never",
                Text(robot, "remote"),
                Number(robot, "events_last_hour"),
                Number(robot, "errors_last_hour"),
            ]);
        }

        if (rows.Count == 0)
        {
            output.WriteLine("no robots have connected yet");
            return;
        }

        TablePrinter.Print(output, ["ROBOT", "STATE", "SESSION", "LAST SEEN", "REMOTE", "EVENTS/H", "ERRORS/H"], rows);
        output.WriteLine($"{Number(root, "online")} of {Number(root, "total")} robot(s) online");
    }

    private static void PrintShow(TextWriter output, JsonElement robot)
    {
        var online = robot.GetProperty("online").GetBoolean();
        Field(output, "robot", Text(robot, "robot_id"));
        Field(output, "state", online ? "online" : "offline");
        Field(output, "session", Number(robot, "session"));
        if (robot.TryGetProperty("online_since", out var since))
        {
            Field(output, "online since", Time(since));
        }

        if (robot.TryGetProperty("offline_since", out var offline))
        {
            Field(output, "offline since", Time(offline));
        }

        if (robot.TryGetProperty("offline_reason", out var reason))
        {
            Field(output, "offline reason", reason.GetString() ?? "");
        }

        Field(output, "last seen", robot.TryGetProperty("last_seen", out var seen)
            ? $"{Ago(robot.GetProperty("last_seen_seconds_ago").GetDouble())} ({Time(seen)})"
            : "never");
        if (robot.TryGetProperty("remote", out var remote))
        {
            Field(output, "remote", $"{remote.GetString()} ({Text(robot, "protocol")})");
        }

        Field(output, "events last hour", Number(robot, "events_last_hour"));
        Field(output, "errors last hour", Number(robot, "errors_last_hour"));
        if (robot.TryGetProperty("types", out var types) && types.ValueKind == JsonValueKind.Object && types.EnumerateObject().Any())
        {
            Field(output, "event types", string.Join(", ", types.EnumerateObject().Select(t => $"{t.Name} {t.Value.GetRawText()}")));
        }

        Field(output, "commands in flight", Number(robot, "commands_in_flight"));
        PrintCommandStats(output, robot.GetProperty("commands"));

        output.WriteLine();
        var connections = new List<string[]>();
        foreach (var c in robot.GetProperty("connections").EnumerateArray())
        {
            connections.Add([
                Number(c, "connection"),
                Text(c, "protocol"),
                Text(c, "remote"),
                Text(c, "user_agent"),
                Time(c.GetProperty("opened_at")),
                Number(c, "events"),
                Number(c, "bytes"),
            ]);
        }

        if (connections.Count == 0)
        {
            output.WriteLine("connections: none open");
        }
        else
        {
            output.WriteLine("connections:");
            TablePrinter.Print(output, ["CONNECTION", "PROTOCOL", "REMOTE", "USER AGENT", "OPENED AT", "EVENTS", "BYTES"], connections);
        }

        output.WriteLine();
        output.WriteLine("last-known state (asked on connect; GET /api/robots/ID/status?refresh=true asks again):");
        var states = new List<string[]>();
        foreach (var kind in robot.GetProperty("state").EnumerateObject())
        {
            var state = kind.Value;
            states.Add(state.ValueKind != JsonValueKind.Object
                ? [kind.Name, "not reported yet", "", "", "", ""]
                : [
                    kind.Name,
                    Time(state.GetProperty("updated_at")),
                    Duration(state.GetProperty("age_seconds").GetDouble()),
                    Duration(state.GetProperty("ttl_seconds").GetDouble()),
                    Text(state, "source"),
                    state.GetProperty("stale").GetBoolean() ? "stale" : "",
                ]);
        }

        TablePrinter.Print(output, ["STATE", "UPDATED AT", "AGE", "TTL", "SOURCE", ""], states);
    }

    /// <summary>The <c>commands</c> object of <c>show</c> and <c>stats</c> as key: value lines.</summary>
    private static void PrintCommandStats(TextWriter output, JsonElement commands)
    {
        Field(output, "commands", $"{Number(commands, "sent")} sent, {Number(commands, "succeeded")} succeeded, {Number(commands, "failed")} failed, " +
            $"{Number(commands, "timed_out")} timed out, {Number(commands, "session_ended")} lost with their session");
        Field(output, "avg send ms", Milliseconds(commands, "avg_send_ms"));
        Field(output, "avg execute ms", Milliseconds(commands, "avg_execute_ms"));
    }

    private static void Field(TextWriter output, string key, string value) => output.WriteLine((key + ":").PadRight(KeyWidth) + value);

    /// <summary>A string property, or "" when it is missing or null.</summary>
    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    /// <summary>A number property as the API wrote it, or "" when it is missing.</summary>
    private static string Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "";

    /// <summary>An average in milliseconds, or "-" before the first command.</summary>
    private static string Milliseconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)
            : "-";

    private static string Time(JsonElement value) =>
        value.GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"3s ago", "5m ago", "2h10m ago", "3d4h ago".</summary>
    private static string Ago(double seconds) => Duration(seconds) + " ago";

    /// <summary>An age or TTL in whole units: "42s", "5m", "2h10m", "3d4h".</summary>
    private static string Duration(double seconds)
    {
        var s = (long)Math.Max(0, Math.Floor(seconds));
        return s switch
        {
            < 60 => $"{s}s",
            < 3600 => s % 60 == 0 ? $"{s / 60}m" : $"{s / 60}m{s % 60}s",
            < 86400 => (s % 3600) / 60 == 0 ? $"{s / 3600}h" : $"{s / 3600}h{(s % 3600) / 60}m",
            _ => (s % 86400) / 3600 == 0 ? $"{s / 86400}d" : $"{s / 86400}d{(s % 86400) / 3600}h",
        };
    }
}
