using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// <c>pipeline tail</c>: the running service's live tail (<c>GET /api/tail</c>, Server-Sent Events) with the same filters,
/// one line per event (coloured by level on a terminal) or the events' JSON lines as they are (<c>--json</c>).
/// </summary>
internal static class TailCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var robot = new Option<string?>("--robot") { Description = "Only this robot_id." };
        var site = new Option<string?>("--site") { Description = "Only robots of this site (from the fleet registry)." };
        var level = new Option<string?>("--level") { Description = "The lowest level shown: debug, info, warning, error or critical." };
        var type = new Option<string?>("--type") { Description = "Only events of this type." };
        var template = new Option<string?>("--template-id") { Description = "Only events of this pattern template (its decimal id, as template_id_str)." };
        var grep = new Option<string?>("--grep") { Description = "Only events whose msg contains this text; a regular expression when written /re/ or with --regex." };
        var regex = new Option<bool>("--regex") { Description = "--grep is a regular expression (.NET syntax, no lookarounds or backreferences)." };
        var sample = new Option<int?>("--sample") { Description = "Show one in N of the matching events." };
        var json = new Option<bool>("--json") { Description = "Print each event's JSON line as the files hold it (for jq); dropped counts go to stderr." };
        var count = new Option<int?>("--count") { Description = "Exit after this many events (default: until Ctrl-C or the service stops)." };
        var source = new Option<string>("--source")
        {
            HelpName = "service|files",
            Description = "service (default): the running service's live tail; files: follow the rolling files like tail -F, from their end, " +
                          "without a service (--robot, --level, --type, --grep and --sample, meaning what they mean for pipeline logs).",
            DefaultValueFactory = _ => "service",
        };
        source.AcceptOnlyFromAmong("service", "files");
        var dataDir = new Option<string?>("--data-dir")
        {
            HelpName = "DIR",
            Description = "With --source files: the service's Pipeline:DataDir (its logs/ are followed) or the files' directory itself (default: ./data).",
        };
        var command = new Command("tail",
            "Follows the running service's events live (GET /api/tail), after redaction, as the sinks see them. A viewer that " +
            "falls behind is told how many events it missed (a 'dropped' line); it never slows the pipeline. Exit 0 at Ctrl-C, " +
            "--count or the end of the service; 1 when the service cannot be reached, refuses the ops token or has too many viewers; " +
            "2 for a bad option or filter. Example: pipeline tail --robot r1 --level warning --grep /timeout|refused/ " +
            "(or, where the service writes its files: pipeline tail --source files --level error)")
        {
            url, token, robot, site, level, type, template, grep, regex, sample, json, count, source, dataDir,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(source) == "files" || result.GetValue(dataDir) is not null)
            {
                return await FollowFilesAsync(result, output, error, (robot, level, type, grep, sample, json, count, dataDir),
                    [site, template, regex, url, token], cancellationToken).ConfigureAwait(false);
            }

            var query = new StringBuilder();
            Add(query, "robot", result.GetValue(robot));
            Add(query, "site", result.GetValue(site));
            Add(query, "level", result.GetValue(level));
            Add(query, "type", result.GetValue(type));
            Add(query, "template_id", result.GetValue(template));
            Add(query, "grep", result.GetValue(grep));
            Add(query, "regex", result.GetValue(regex) ? "true" : null);
            Add(query, "sample", result.GetValue(sample)?.ToString(CultureInfo.InvariantCulture));
            var limit = result.GetValue(count);
            if (limit is <= 0)
            {
                await error.WriteLineAsync($"pipeline tail: --count must be a positive number (got {limit}).").ConfigureAwait(false);
                return 2;
            }

            var printer = new TailPrinter(output, error, result.GetValue(json), IsTerminal(output));
            return await FollowAsync(result.GetValue(url)!, result.GetValue(token), "/api/tail" + query, printer, limit, error, cancellationToken)
                .ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>--source files</c>: the rolling files followed from their end, filtered as <c>pipeline logs</c> filters them.</summary>
    private static async Task<int> FollowFilesAsync(ParseResult result, TextWriter output, TextWriter error,
        (Option<string?> Robot, Option<string?> Level, Option<string?> Type, Option<string?> Grep, Option<int?> Sample, Option<bool> Json,
            Option<int?> Count, Option<string?> DataDir) o, Option[] serviceOnly, CancellationToken cancellationToken)
    {
        if (Array.Find(serviceOnly, x => result.GetResult(x) is { Implicit: false }) is { } given)
        {
            await error.WriteLineAsync($"pipeline tail: {given.Name} needs the service's tail; the files source takes --robot, --level, --type, --grep and --sample.").ConfigureAwait(false);
            return 2;
        }

        var rank = -1;
        if (result.GetValue(o.Level) is { } minimum)
        {
            var normalized = EventsTable.NormalizeLevel(minimum);
            if (normalized is null)
            {
                await error.WriteLineAsync($"pipeline tail: --level '{minimum}' is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.").ConfigureAwait(false);
                return 2;
            }

            rank = Array.IndexOf(EventsTable.Levels, normalized);
        }

        var limit = result.GetValue(o.Count);
        var sample = result.GetValue(o.Sample) ?? 1;
        if (limit is <= 0 || sample <= 0)
        {
            await error.WriteLineAsync($"pipeline tail: {(limit is <= 0 ? "--count" : "--sample")} must be a positive number.").ConfigureAwait(false);
            return 2;
        }

        var dataDir = result.GetValue(o.DataDir) ?? "data";
        if (!Directory.Exists(dataDir))
        {
            await error.WriteLineAsync($"pipeline tail: {Path.GetFullPath(dataDir)} does not exist: pass --data-dir with the service's Pipeline:DataDir.").ConfigureAwait(false);
            return 2;
        }

        var directory = RollingDirectory.Of(dataDir);
        var filter = new EventFilter(result.GetValue(o.Robot), rank, result.GetValue(o.Type), result.GetValue(o.Grep), long.MinValue, long.MaxValue);
        var printer = new TailPrinter(output, error, result.GetValue(o.Json), IsTerminal(output));
        var follower = new FileFollower(directory, TimeSpan.FromMilliseconds(200), error);
        follower.Start(); // before saying so: what is written once the line is out is followed
        await error.WriteLineAsync($"pipeline tail: {FileFollower.Describe(directory)}").ConfigureAwait(false);
        long matched = 0, shown = 0;
        try
        {
            await follower.FollowAsync(line =>
            {
                if (!EventHeadReader.TryRead(line.Span, out var head) || !filter.Matches(in head, line.Span) || matched++ % sample != 0)
                {
                    return true;
                }

                printer.Event(Encoding.UTF8.GetString(line.Span));
                return ++shown != limit;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C
        }

        return 0;
    }

    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    private static async Task<int> FollowAsync(Uri baseUrl, string? token, string path, TailPrinter printer, int? limit, TextWriter error,
        CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        if (token is { Length: > 0 })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var address = new Uri(baseUrl, path);
        try
        {
            using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = await ReasonAsync(response, cancellationToken).ConfigureAwait(false);
                var message = response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized when token is not { Length: > 0 } => ApiClient.TokenRequired,
                    HttpStatusCode.Unauthorized => $"the service rejected the ops token: check --token or {ApiClient.TokenVariable} ({reason})",
                    _ => $"{address} answered {(int)response.StatusCode}: {reason}",
                };
                await error.WriteLineAsync($"pipeline tail: {message}").ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.BadRequest ? 2 : 1;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            string? name = null, data = null;
            var shown = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    if (name == "event" && data is not null)
                    {
                        printer.Event(data);
                        if (++shown == limit)
                        {
                            return 0;
                        }
                    }
                    else if (name == "dropped" && data is not null)
                    {
                        printer.Dropped(data);
                    }

                    name = data = null;
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }

            return 0; // the service ended the tail (it stops)
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0; // Ctrl-C
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            await error.WriteLineAsync($"pipeline tail: cannot reach {address}: {ex.Message} (is the service running? pass --url)").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<string?> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return body.RootElement.TryGetProperty("error", out var e) ? e.GetString() : response.ReasonPhrase;
        }
        catch (JsonException)
        {
            return response.ReasonPhrase;
        }
    }
}
