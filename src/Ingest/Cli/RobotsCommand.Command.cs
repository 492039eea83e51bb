using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Ingest.Cli.Query;
using Pipeline.Ingest.Robots;

namespace Pipeline.Ingest.Cli;

internal static partial class RobotsCommand
{
    /// <summary>How much longer than the command's deadline the HTTP request may take: the service answers 504 at the deadline.</summary>
    private static readonly TimeSpan ReplyMargin = TimeSpan.FromSeconds(10);

    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Command CreateCommand(TextWriter output, TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var json = JsonOption();
        var id = new Argument<string>("ID") { Description = "The robot's id (its robot_id)." };
        var name = new Argument<string>("CMD") { Description = "The command, e.g. get_status, get_config, get_logs, or one the robot defines." };
        var parameters = new Option<string?>("--params")
        {
            Description = "The command's parameters: a JSON object, e.g. '{\"speed\":0.5}'. Default: {}.",
        };
        var timeout = new Option<string?>("--timeout")
        {
            Description = "How long to wait for the robot's answer: 10s, 500ms, 2m, or seconds; at most 5m. " +
                "Default: the service's Pipeline:Robots:CommandTimeout (10s unless set).",
        };
        var command = new Command("command",
            "Sends a command to a robot on its WebSocket session (POST /api/robots/{id}/commands) and waits for its answer: prints " +
            "the robot's result (JSON) and how long it took to send and to answer. Exit 0: the robot answered with success; 1: the " +
            "robot answered with a failure, is offline (or connected over TCP only), its session ended, it did not answer in time, " +
            "it has too many commands in flight, or the service cannot be reached or refuses the ops token; 2: bad arguments " +
            "(--params not a JSON object, a bad --timeout). With --json the API's body is printed as it came, for refusals too. " +
            "Example: pipeline robots command r-7 set_speed --params '{\"speed\":0.5}' --timeout 5s")
        {
            id, name, url, token, parameters, timeout, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var robotId = result.GetValue(id)!;
            var commandName = result.GetValue(name)!;
            if (commandName.Length == 0)
            {
                await error.WriteLineAsync("pipeline robots command: CMD must not be empty, e.g. get_status.").ConfigureAwait(false);
                return 2;
            }

            if (ParseParams(result.GetValue(parameters), out var paramsObject) is { } badParams)
            {
                await error.WriteLineAsync($"pipeline robots command: {badParams}").ConfigureAwait(false);
                return 2;
            }

            var timeoutText = result.GetValue(timeout);
            if (ParseTimeout(timeoutText, out var deadline) is { } badTimeout)
            {
                await error.WriteLineAsync($"pipeline robots command: {badTimeout}").ConfigureAwait(false);
                return 2;
            }

            var body = Body(commandName, paramsObject, timeoutText);
            var path = $"/api/robots/{Uri.EscapeDataString(robotId)}/commands";
            using var api = ApiClient.Create(result.GetValue(url)!, result.GetValue(token), (deadline ?? RobotsOptions.MaxCommandTimeout) + ReplyMargin);
            using var reply = await api.PostJsonAsync(path, body, cancellationToken).ConfigureAwait(false);
            return await PrintCommandReplyAsync(output, error, reply, result.GetValue(json)).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> PrintCommandReplyAsync(TextWriter output, TextWriter error, ApiReply reply, bool json)
    {
        if (json && reply.Body is { } document && reply.Status is not null and not HttpStatusCode.Unauthorized)
        {
            await output.WriteLineAsync(document.RootElement.GetRawText()).ConfigureAwait(false);
        }

        if (reply.Error is { } problem)
        {
            // 409 offline / session ended, 429 too many, 504 no answer in time, 400 refused arguments: the service's own words.
            var own = reply.Status is HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests or HttpStatusCode.GatewayTimeout or HttpStatusCode.BadRequest
                ? reply.ServiceError
                : null;
            await error.WriteLineAsync($"pipeline robots command: {own ?? problem}").ConfigureAwait(false);
            return reply.Status == HttpStatusCode.BadRequest ? 2 : 1;
        }

        if (reply.Body?.RootElement is not { ValueKind: JsonValueKind.Object } answer)
        {
            await error.WriteLineAsync($"pipeline robots command: the service answered {(int?)reply.Status} without a JSON body").ConfigureAwait(false);
            return 1;
        }

        var success = answer.TryGetProperty("success", out var s) && s.ValueKind == JsonValueKind.True;
        if (!json)
        {
            if (answer.TryGetProperty("result", out var value) && (success || value.ValueKind != JsonValueKind.Null))
            {
                await output.WriteLineAsync(PrettyJson(value)).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"answered in {Milliseconds(answer, "execute_ms")} ms (sent in {Milliseconds(answer, "send_ms")} ms)").ConfigureAwait(false);
        }

        if (!success)
        {
            var robotError = Text(answer, "robot_error") is { Length: > 0 } text ? text : "the robot reported a failure";
            await error.WriteLineAsync($"pipeline robots command: robot {Text(answer, "robot_id")} failed {Text(answer, "command")}: {robotError}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    /// <summary><c>--params</c> as a JSON object (none: <c>{}</c>); an error, or null.</summary>
    private static string? ParseParams(string? text, out JsonElement parameters)
    {
        parameters = default;
        if (text is null)
        {
            using var empty = JsonDocument.Parse("{}");
            parameters = empty.RootElement.Clone();
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"--params must be a JSON object such as '{{\"speed\":0.5}}', not a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()} (got '{text}').";
            }

            parameters = document.RootElement.Clone();
            return null;
        }
        catch (JsonException ex)
        {
            return $"--params must be a JSON object such as '{{\"speed\":0.5}}' (got '{text}': {ex.Message})";
        }
    }

    /// <summary>
    /// <c>--timeout</c> read as the service reads it (seconds, <c>10s</c>/<c>500ms</c>/<c>2m</c>, or <c>hh:mm:ss</c>; more than 0,
    /// at most 5 min), so a bad one is refused before anything is sent. Null <paramref name="timeout"/>: none given.
    /// </summary>
    private static string? ParseTimeout(string? text, out TimeSpan? timeout)
    {
        timeout = null;
        if (text is null)
        {
            return null;
        }

        if (CommandTimeout.Parse(text, out var parsed) is { } problem)
        {
            return "--timeout " + problem;
        }

        timeout = parsed;
        return null;
    }

    /// <summary><c>{"command":…,"params":{…},"timeout":"…"}</c>; without a timeout the service's default applies.</summary>
    private static string Body(string command, JsonElement parameters, string? timeout)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("command", command);
            json.WritePropertyName("params");
            parameters.WriteTo(json);
            if (timeout is not null)
            {
                json.WriteString("timeout", timeout);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string PrettyJson(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Pretty))
        {
            value.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
