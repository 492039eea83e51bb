using System.CommandLine;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline errors --hours N</c>: ERROR and CRITICAL events of the last N hours, newest first.</summary>
internal static class ErrorsCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var hours = new Option<int>("--hours") { HelpName = "N", Description = "How far back, in hours.", DefaultValueFactory = _ => 24 };
        var robot = new Option<string?>("--robot") { HelpName = "ID", Description = "Only this robot (its robot_id or robot_name, exact)." };
        var limit = new Option<int>("--limit") { HelpName = "N", Description = "At most this many events, the newest.", DefaultValueFactory = _ => 100 };
        var verb = new QueryVerb(overrides);
        var command = new Command("errors",
            "ERROR and CRITICAL events of the last N hours from ClickHouse or the rolling files (--source), newest first, as a table. Exit 0; " +
            "1 ClickHouse rejected the query; 2 bad arguments, no ClickHouse connection configured, server unreachable, no events table or no rolling files. " +
            "Example: pipeline errors --hours 6")
        {
            hours, robot, limit,
        };
        verb.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var n = result.GetValue(hours);
            var max = result.GetValue(limit);
            if (n <= 0 || max <= 0)
            {
                error.WriteLine(n <= 0 ? $"pipeline errors: --hours must be at least 1, got {n}." : $"pipeline errors: --limit must be at least 1, got {max}.");
                return Task.FromResult(2);
            }

            var from = DateTimeOffset.UtcNow - TimeSpan.FromHours(n);
            void Print(EventsTable table, IReadOnlyList<string[]> rows, int time, int level, int robotId, int type, int msg)
            {
                var cells = new List<string[]>(rows.Count);
                foreach (var row in rows)
                {
                    cells.Add([table.FormatTime(row[time]), row[level], row[robotId], row[type], row[msg]]);
                }

                TablePrinter.Print(output, ["TIME (UTC)", "LEVEL", "ROBOT", "TYPE", "MESSAGE"], cells);
                output.WriteLine($"{cells.Count} error event(s) in the last {n} h{(cells.Count == max ? $" (limited to {max}; see --limit)" : "")}.");
            }

            var robotValue = result.GetValue(robot);
            var robotFilter = robotValue is { } r
                ? $" AND (robot_id = {SqlLiteral.Quote(r)} OR robot_name = {SqlLiteral.Quote(r)})"
                : "";
            return verb.RunAsync(result, "errors", error, async runner =>
            {
                var table = await EventsTable.OpenAsync(runner, cancellationToken).ConfigureAwait(false);
                var rows = await runner.QueryAsync(
                    $"SELECT {table.TimeColumn}, toString(level), robot_id, type, msg FROM {table.Name} " +
                    $"WHERE level >= 'ERROR' AND {table.TimeCondition(from, atLeast: true)}{robotFilter} " +
                    $"ORDER BY {table.NewestFirst} LIMIT {max}",
                    cancellationToken).ConfigureAwait(false);
                Print(table, rows.Rows, 0, 1, 2, 3, 4);
                return 0;
            }, files =>
            {
                var newest = new NewestEvents(new EventFilter(robotValue, 3, null, null, from.ToUnixTimeMilliseconds(), long.MaxValue), max);
                var summary = files.Scanner.Scan(newest, files.Files, cancellationToken);
                Print(EventsTable.Files, newest.Rows(), 0, 1, 2, 5, 6);
                files.Scanner.Report(summary);
                return 0;
            });
        });
        return command;
    }
}
