using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Blocks.Output;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline logs</c>: events from ClickHouse or the rolling files, filtered, newest first, as a table or JSON lines.</summary>
internal static class LogsCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var robot = new Option<string?>("--robot") { HelpName = "ID", Description = "Only this robot (its robot_id or robot_name, exact)." };
        var level = new Option<string?>("--level") { HelpName = "LEVEL", Description = "Minimum level: DEBUG, INFO, WARNING, ERROR or CRITICAL (e.g. WARNING shows WARNING, ERROR, CRITICAL)." };
        var type = new Option<string?>("--type") { HelpName = "TYPE", Description = "Only events of this type (exact)." };
        var grep = new Option<string?>("--grep") { HelpName = "TEXT", Description = "Only messages containing this text (case-insensitive, plain text, not a pattern)." };
        var since = new Option<string?>("--since") { HelpName = "TIME", Description = $"Events at or after: {TimeArgument.Help}." };
        var until = new Option<string?>("--until") { HelpName = "TIME", Description = $"Events before: {TimeArgument.Help}." };
        var limit = new Option<int>("--limit") { HelpName = "N", Description = "At most this many events, the newest.", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line (ts, robot_id, robot_name, site, level, type, msg, trace_id, template_id with its exact decimal " +
            "text template_id_str when the event has a template, attrs) instead of a table." };
        var verb = new QueryVerb(overrides);
        var command = new Command("logs",
            "Events from ClickHouse or the rolling files (--source), newest first, as an aligned table (TIME UTC, LEVEL, ROBOT, TYPE, MESSAGE) or --json lines. " +
            "Exit 0; 1 ClickHouse rejected the query; 2 bad arguments, no ClickHouse connection configured, server unreachable, no events table or no rolling files. " +
            "Example: pipeline logs --robot r-17 --level WARNING --since 2h --grep battery")
        {
            robot, level, type, grep, since, until, limit, json,
        };
        verb.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var now = DateTimeOffset.UtcNow;
            var filters = new List<string>();
            string? problem = null;
            var rank = -1;
            if (result.GetValue(level) is { } minimum)
            {
                var normalized = EventsTable.NormalizeLevel(minimum);
                if (normalized is null)
                {
                    problem = $"--level '{minimum}' is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.";
                }
                else
                {
                    filters.Add($"level >= '{normalized}'");
                    rank = Array.IndexOf(EventsTable.Levels, normalized);
                }
            }

            DateTimeOffset? from = null, to = null;
            if (result.GetValue(since) is { } sinceText)
            {
                if (TimeArgument.TryParse(sinceText, now, out var t)) { from = t; } else { problem ??= $"--since '{sinceText}' is not {TimeArgument.Help}."; }
            }

            if (result.GetValue(until) is { } untilText)
            {
                if (TimeArgument.TryParse(untilText, now, out var t)) { to = t; } else { problem ??= $"--until '{untilText}' is not {TimeArgument.Help}."; }
            }

            var max = result.GetValue(limit);
            if (max <= 0)
            {
                problem ??= $"--limit must be at least 1, got {max}.";
            }

            if (problem is not null)
            {
                error.WriteLine($"pipeline logs: {problem}");
                return Task.FromResult(2);
            }

            if (result.GetValue(robot) is { } r)
            {
                filters.Add($"(robot_id = {SqlLiteral.Quote(r)} OR robot_name = {SqlLiteral.Quote(r)})");
            }

            if (result.GetValue(type) is { } ty)
            {
                filters.Add($"type = {SqlLiteral.Quote(ty)}");
            }

            if (result.GetValue(grep) is { Length: > 0 } g)
            {
                filters.Add($"positionCaseInsensitiveUTF8(msg, {SqlLiteral.Quote(g)}) > 0");
            }

            var asJson = result.GetValue(json);
            void Print(EventsTable table, IReadOnlyList<string[]> rows)
            {
                if (asJson)
                {
                    WriteJson(output, table, rows);
                    return;
                }

                var cells = new List<string[]>(rows.Count);
                foreach (var row in rows)
                {
                    cells.Add([table.FormatTime(row[0]), row[1], row[2], row[5], row[6]]);
                }

                TablePrinter.Print(output, ["TIME (UTC)", "LEVEL", "ROBOT", "TYPE", "MESSAGE"], cells);
            }

            var robotValue = result.GetValue(robot);
            var typeValue = result.GetValue(type);
            var grepValue = result.GetValue(grep);
            return verb.RunAsync(result, "logs", error, async runner =>
            {
                var table = await EventsTable.OpenAsync(runner, cancellationToken).ConfigureAwait(false);
                var conditions = new List<string>(filters);
                if (from is { } f) { conditions.Add(table.TimeCondition(f, atLeast: true)); }
                if (to is { } u) { conditions.Add(table.TimeCondition(u, atLeast: false)); }
                var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
                var rows = await runner.QueryAsync(
                    $"SELECT {table.TimeColumn}, toString(level), robot_id, robot_name, site, type, msg, trace_id, attrs, toString(template_id) " +
                    $"FROM {table.Name} {where} ORDER BY {table.NewestFirst} LIMIT {max}",
                    cancellationToken).ConfigureAwait(false);
                Print(table, rows.Rows);
                return 0;
            }, files =>
            {
                var filter = new EventFilter(robotValue, rank, typeValue, grepValue,
                    from?.ToUnixTimeMilliseconds() ?? long.MinValue, to?.ToUnixTimeMilliseconds() ?? long.MaxValue);
                var newest = new NewestEvents(filter, max);
                var summary = files.Scanner.Scan(newest, files.Files, cancellationToken);
                Print(EventsTable.Files, newest.Rows());
                files.Scanner.Report(summary);
                return 0;
            });
        });
        return command;
    }

    private static void WriteJson(TextWriter output, EventsTable table, IReadOnlyList<string[]> rows)
    {
        var buffer = new MemoryStream();
        foreach (var row in rows)
        {
            buffer.SetLength(0);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("ts", table.FormatTimeRfc3339(row[0]));
                writer.WriteString("robot_id", row[2]);
                writer.WriteString("robot_name", row[3]);
                writer.WriteString("site", row[4]);
                writer.WriteString("level", row[1]);
                writer.WriteString("type", row[5]);
                writer.WriteString("msg", row[6]);
                writer.WriteString("trace_id", row[7]);
                if (ulong.TryParse(row[9], NumberStyles.None, CultureInfo.InvariantCulture, out var template) && template != 0)
                {
                    JsonIds.Write(writer, "template_id", template);
                }

                writer.WritePropertyName("attrs");
                WriteAttrs(writer, row[8]);
                writer.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    /// <summary>attrs is JSON text; written as an object when it parses, as a string otherwise.</summary>
    private static void WriteAttrs(Utf8JsonWriter writer, string attrs)
    {
        try
        {
            using var document = JsonDocument.Parse(attrs.Length == 0 ? "{}" : attrs);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(attrs);
        }
    }
}
