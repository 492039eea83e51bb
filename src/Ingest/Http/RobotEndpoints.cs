using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Parse;
using Pipeline.Ingest.Cli.Query;
using Pipeline.Ingest.Robots;

namespace Pipeline.Ingest.Http;

/// <summary>
/// The fleet over HTTP (DESIGN, "Robots"): <c>GET /api/robots</c>, <c>/api/robots/stats</c>, <c>/api/robots/{id}</c>,
/// <c>/api/robots/{id}/status|config|logs</c> (last-known state with its age; <c>?refresh=true</c> asks the robot now;
/// <c>logs?source=pipeline&amp;limit=N&amp;level=…</c> serves the last events the pipeline saw from it), and
/// <c>POST /api/robots/{id}/commands</c>.
/// </summary>
internal static class RobotEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/robots", (HttpContext context) => List(Registry(context), context, Now(context)));
        app.MapGet("/api/robots/stats", (HttpContext context) => Stats(Registry(context), Now(context)));
        app.MapGet("/api/robots/{robotId}", (HttpContext context, string robotId) => Show(Registry(context), robotId, Now(context)));
        app.MapGet("/api/robots/{robotId}/status", (HttpContext context, string robotId) => StateAsync(context, robotId, RobotStateKind.Status));
        app.MapGet("/api/robots/{robotId}/config", (HttpContext context, string robotId) => StateAsync(context, robotId, RobotStateKind.Config));
        app.MapGet("/api/robots/{robotId}/logs", (HttpContext context, string robotId) => LogsAsync(context, robotId));
        app.MapPost("/api/robots/{robotId}/commands", (HttpContext context, string robotId) => CommandAsync(context, robotId));
    }

    private static RobotRegistry Registry(HttpContext context) => context.RequestServices.GetRequiredService<RobotRegistry>();

    private static DateTimeOffset Now(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>
    /// The fleet, sorted by id. <c>?limit=N&amp;offset=M</c> pages it (the dashboard asks for 200 at a time:
    /// with 10,000 robots the whole list is megabytes of JSON), <c>?q=text</c> keeps the ids containing
    /// the text, <c>?status=true</c> adds each robot's last-known status value. <c>online</c>, <c>total</c> and
    /// the fleet's <c>events_last_hour</c>/<c>errors_last_hour</c> are always over every robot; <c>matched</c>
    /// counts those <c>q</c> kept. Without parameters: every robot, as before.
    /// </summary>
    private static IResult List(RobotRegistry registry, HttpContext context, DateTimeOffset now)
    {
        var query = context.Request.Query;
        if (Count(query["limit"], "limit", int.MaxValue, out var limit) is { } badLimit)
        {
            return ApiResponses.Error(400, badLimit);
        }

        if (Count(query["offset"], "offset", 0, out var offset) is { } badOffset)
        {
            return ApiResponses.Error(400, badOffset);
        }

        var text = query["q"].ToString();
        var withStatus = IsTrue(query["status"]);
        var minute = now.ToUnixTimeSeconds() / 60;
        var robots = registry.Robots.ToArray();
        int online = 0;
        long events = 0, errors = 0;
        var matched = new List<RobotEntry>(robots.Length);
        foreach (var robot in robots)
        {
            online += robot.Online ? 1 : 0;
            events += robot.EventsLastHour.LastHour(minute);
            errors += robot.ErrorsLastHour.LastHour(minute);
            if (text.Length == 0 || robot.Id.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                matched.Add(robot);
            }
        }

        matched.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        var first = Math.Min(offset, matched.Count);
        var shown = Math.Min(limit, matched.Count - first);
        return ApiResponses.Body(200, json =>
        {
            json.WriteNumber("online", online);
            json.WriteNumber("total", robots.Length);
            json.WriteNumber("matched", matched.Count);
            json.WriteNumber("offset", first);
            json.WriteNumber("events_last_hour", events);
            json.WriteNumber("errors_last_hour", errors);
            json.WriteStartArray("robots");
            for (var i = first; i < first + shown; i++)
            {
                var robot = matched[i];
                json.WriteStartObject();
                Summary(json, robot, now);
                if (withStatus)
                {
                    json.WritePropertyName("status");
                    if (robot.Answer(RobotStateKind.Status) is { } status)
                    {
                        status.Value.WriteTo(json);
                    }
                    else
                    {
                        json.WriteNullValue();
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    /// <summary>A non-negative whole number query parameter, or <paramref name="fallback"/> when absent. An error, or null.</summary>
    private static string? Count(Microsoft.Extensions.Primitives.StringValues value, string name, int fallback, out int count)
    {
        count = fallback;
        if (value.Count == 0)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count)
            ? null
            : $"{name} must be a whole number of 0 or more (got '{value}').";
    }

    private static IResult Show(RobotRegistry registry, string id, DateTimeOffset now)
    {
        if (registry.Find(id) is not { } robot)
        {
            return Unknown(id);
        }

        return ApiResponses.Body(200, json =>
        {
            Summary(json, robot, now);
            json.WriteStartArray("connections");
            lock (robot.Gate)
            {
                foreach (var session in robot.Sessions)
                {
                    json.WriteStartObject();
                    json.WriteNumber("connection", session.Source.Id);
                    json.WriteString("protocol", session.Source.Protocol);
                    json.WriteString("remote", session.Source.Remote);
                    if (session.UserAgent is { } agent)
                    {
                        json.WriteString("user_agent", agent);
                    }

                    json.WriteString("opened_at", session.OpenedAt);
                    json.WriteNumber("events", session.Source.Lines);
                    json.WriteNumber("bytes", session.Source.Bytes);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteStartObject("state");
            foreach (var kind in RobotStateKinds.All)
            {
                json.WritePropertyName(kind.Name());
                State(json, robot, kind, registry.Options, now, withValue: false);
            }

            json.WriteEndObject();
            json.WriteNumber("commands_in_flight", robot.CommandsInFlight);
            ApiResponses.Write(json, "commands", robot.Commands.Snapshot());
            ApiResponses.Write(json, "types", robot.Types.Snapshot());
        });
    }

    private static IResult Stats(RobotRegistry registry, DateTimeOffset now)
    {
        var robots = registry.Robots.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var commands = robots.Select(r => (r, r.Commands.Snapshot())).ToList();
        return ApiResponses.Body(200, json =>
        {
            json.WriteStartObject("connections");
            json.WriteNumber("total", registry.TotalConnections);
            json.WriteNumber("active", registry.OpenSessions.Count());
            json.WriteNumber("failed", registry.FailedConnections);
            json.WriteEndObject();
            json.WriteStartObject("robots");
            json.WriteNumber("known", robots.Count);
            json.WriteNumber("online", robots.Count(r => r.Online));
            json.WriteEndObject();
            ApiResponses.Write(json, "commands", CommandStats.Sum(commands.Select(c => c.Item2)));
            json.WriteStartObject("per_robot");
            foreach (var (robot, view) in commands)
            {
                json.WriteStartObject(robot.Id);
                json.WriteNumber("events", robot.Events);
                json.WriteNumber("events_last_hour", robot.EventsLastHour.LastHour(now.ToUnixTimeSeconds() / 60));
                json.WriteNumber("connections", robot.Connections);
                ApiResponses.Write(json, "types", robot.Types.Snapshot());
                ApiResponses.Write(json, "commands", view);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }

    /// <summary>status, config, logs: the cached answer with its age, or, with <c>?refresh=true</c>, a new one from the robot.</summary>
    private static async Task<IResult> StateAsync(HttpContext context, string id, RobotStateKind kind)
    {
        var registry = Registry(context);
        var robot = registry.Find(id);
        var query = context.Request.Query;
        if (IsTrue(query["refresh"]))
        {
            if (Timeout(query["timeout"], registry.Options, out var timeout) is { } bad)
            {
                return ApiResponses.Error(400, bad);
            }

            var outcome = await registry.Commands.SendAsync(robot, id, kind.Command(), null, timeout, context.RequestAborted).ConfigureAwait(false);
            if (outcome.Status != CommandStatus.Answered)
            {
                return CommandResult(outcome);
            }

            if (!outcome.Success)
            {
                return ApiResponses.Error(502, $"robot {id} answered {kind.Command()} with a failure: {outcome.Message}");
            }
        }

        if (robot is null)
        {
            return Unknown(id);
        }

        if (robot.Answer(kind) is not { } answer)
        {
            return ApiResponses.Error(404, $"robot {id} has not reported its {kind.Name()} yet (it is asked on connect); " +
                $"GET /api/robots/{id}/{kind.Name()}?refresh=true asks it now.");
        }

        var now = Now(context);
        return ApiResponses.Body(200, json =>
        {
            json.WriteString("robot_id", robot.Id);
            json.WriteString("kind", kind.Name());
            WriteAnswer(json, answer, kind.Ttl(registry.Options), now, withValue: true);
        });
    }

    /// <summary><c>logs</c>: the robot's own answer to get_logs (default, <c>source=robot</c>), or <c>source=pipeline</c>.</summary>
    private static async Task<IResult> LogsAsync(HttpContext context, string id) =>
        context.Request.Query["source"].ToString() switch
        {
            "pipeline" => PipelineLogs(context, id),
            "" or "robot" => await StateAsync(context, id, RobotStateKind.Logs).ConfigureAwait(false),
            var other => ApiResponses.Error(400, $"source must be robot (its answer to get_logs) or pipeline (the events the pipeline saw), not '{other}'."),
        };

    /// <summary><c>logs?source=pipeline&amp;limit=N&amp;level=WARNING</c>: the last events the pipeline saw from the robot, oldest first.</summary>
    private static IResult PipelineLogs(HttpContext context, string id)
    {
        var registry = Registry(context);
        var query = context.Request.Query;
        var limit = registry.Options.RecentEvents;
        if (query["limit"] is { Count: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            return ApiResponses.Error(400, $"limit must be a positive whole number (got '{l}').");
        }

        byte minLevel = 0;
        if (query["level"] is { Count: > 0 } level)
        {
            if (!LevelParser.TryParseName(Encoding.UTF8.GetBytes(level.ToString()), out var parsed))
            {
                return ApiResponses.Error(400, $"level must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got '{level}').");
            }

            minLevel = (byte)parsed;
        }

        if (registry.Find(id) is not { } robot)
        {
            return Unknown(id);
        }

        var lines = robot.Recent.Last(limit, minLevel);
        var timestamps = new Pipeline.Blocks.Output.TimestampFormatter();
        var rendered = new System.Buffers.ArrayBufferWriter<byte>(1024);
        return ApiResponses.Body(200, json =>
        {
            json.WriteString("robot_id", robot.Id);
            json.WriteString("source", "pipeline");
            json.WriteNumber("count", lines.Count);
            json.WriteStartArray("events");
            foreach (var (bytes, level) in lines)
            {
                rendered.ResetWrittenCount();
                RecentEvent.WriteJson(bytes, (Pipeline.Blocks.Events.EventLevel)level, rendered, timestamps);
                json.WriteRawValue(rendered.WrittenSpan, skipInputValidation: true);
            }

            json.WriteEndArray();
        });
    }

    private static async Task<IResult> CommandAsync(HttpContext context, string id)
    {
        var registry = Registry(context);
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return ApiResponses.Error(400, $"the body is not JSON: {ex.Message} Expected {{\"command\":\"get_status\",\"params\":{{}},\"timeout\":\"10s\"}}.");
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String ||
            command.GetString() is not { Length: > 0 } name)
        {
            return ApiResponses.Error(400, "command: a non-empty string is needed, e.g. {\"command\":\"get_status\",\"params\":{},\"timeout\":\"10s\"}.");
        }

        JsonElement? parameters = null;
        if (body.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                return ApiResponses.Error(400, "params must be a JSON object.");
            }

            parameters = p;
        }

        string? timeoutText = body.TryGetProperty("timeout", out var t)
            ? t.ValueKind switch
            {
                JsonValueKind.String => t.GetString(),
                JsonValueKind.Number => t.GetRawText() + "s",
                _ => "?",
            }
            : context.Request.Query["timeout"];
        if (Timeout(timeoutText, registry.Options, out var timeout) is { } bad)
        {
            return ApiResponses.Error(400, bad);
        }

        var outcome = await registry.Commands.SendAsync(registry.Find(id), id, name, parameters, timeout, context.RequestAborted).ConfigureAwait(false);
        return CommandResult(outcome);
    }

    private static IResult CommandResult(CommandOutcome outcome)
    {
        var status = outcome.Status switch
        {
            CommandStatus.Answered => 200,
            CommandStatus.TooMany => 429,
            CommandStatus.Timeout => 504,
            _ => 409,
        };
        return ApiResponses.Body(status, json =>
        {
            if (status != 200)
            {
                json.WriteString("error", outcome.Message);
            }

            json.WriteString("outcome", outcome.Status switch
            {
                CommandStatus.Answered => "answered",
                CommandStatus.Offline => "offline",
                CommandStatus.NoCommandSession => "no_command_session",
                CommandStatus.SessionEnded => "session_ended",
                CommandStatus.SendFailed => "send_failed",
                CommandStatus.TooMany => "too_many",
                _ => "timeout",
            });
            json.WriteString("robot_id", outcome.RobotId);
            json.WriteString("command", outcome.Command);
            if (outcome.CommandId is { } commandId)
            {
                json.WriteString("command_id", commandId);
                json.WriteNumber("session", outcome.Session);
            }

            if (outcome.Status == CommandStatus.Answered)
            {
                json.WriteBoolean("success", outcome.Success);
                json.WritePropertyName("result");
                if (outcome.RobotResult is { } result)
                {
                    result.WriteTo(json);
                }
                else
                {
                    json.WriteNullValue();
                }

                if (outcome.Error is { } error)
                {
                    json.WriteString("robot_error", error);
                }
            }

            if (outcome.SendMs is { } send)
            {
                json.WriteNumber("send_ms", send);
            }

            if (outcome.ExecuteMs is { } execute)
            {
                json.WriteNumber("execute_ms", execute);
            }
        });
    }

    private static void Summary(Utf8JsonWriter json, RobotEntry robot, DateTimeOffset now)
    {
        var minute = now.ToUnixTimeSeconds() / 60;
        lock (robot.Gate)
        {
            json.WriteString("robot_id", robot.Id);
            json.WriteBoolean("online", robot.Online);
            json.WriteNumber("session", robot.Session);
            json.WriteNumber("open_connections", robot.Sessions.Count);
            if (robot.Online && robot.OnlineSince is { } since)
            {
                json.WriteString("online_since", since);
            }

            if (!robot.Online && robot.OfflineSince is { } offline)
            {
                json.WriteString("offline_since", offline);
                if (robot.OfflineReason is { } reason)
                {
                    json.WriteString("offline_reason", reason);
                }
            }

            if (robot.LastSeen is { } seen)
            {
                json.WriteString("last_seen", seen);
                json.WriteNumber("last_seen_seconds_ago", Math.Round(Math.Max(0, (now - seen).TotalSeconds), 3));
            }

            if (robot.Remote is { } remote)
            {
                json.WriteString("remote", remote);
                json.WriteString("protocol", robot.Protocol);
            }
        }

        json.WriteNumber("events_last_hour", robot.EventsLastHour.LastHour(minute));
        json.WriteNumber("errors_last_hour", robot.ErrorsLastHour.LastHour(minute));
    }

    private static void State(Utf8JsonWriter json, RobotEntry robot, RobotStateKind kind, RobotsOptions options, DateTimeOffset now, bool withValue)
    {
        if (robot.Answer(kind) is not { } answer)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        WriteAnswer(json, answer, kind.Ttl(options), now, withValue);
        json.WriteEndObject();
    }

    private static void WriteAnswer(Utf8JsonWriter json, CachedAnswer answer, TimeSpan ttl, DateTimeOffset now, bool withValue)
    {
        var age = now - answer.At;
        if (withValue)
        {
            json.WritePropertyName("value");
            answer.Value.WriteTo(json);
        }

        json.WriteString("updated_at", answer.At);
        json.WriteNumber("age_seconds", Math.Round(Math.Max(0, age.TotalSeconds), 3));
        json.WriteNumber("ttl_seconds", ttl.TotalSeconds);
        json.WriteBoolean("stale", age > ttl);
        json.WriteString("source", answer.Source);
    }

    /// <summary>A request's deadline (<see cref="CommandTimeout"/>), or the default. An error, or null.</summary>
    private static string? Timeout(string? text, RobotsOptions options, out TimeSpan timeout)
    {
        timeout = options.CommandTimeout;
        return string.IsNullOrEmpty(text) || CommandTimeout.Parse(text, out timeout) is not { } problem ? null : "timeout " + problem;
    }

    private static bool IsTrue(string? value) => value is "true" or "1" or "yes";

    private static IResult Unknown(string id) =>
        ApiResponses.Error(404, $"no robot '{id}': it has not connected since the data directory was made (GET /api/robots lists the known ones).");
}
