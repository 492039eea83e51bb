using System.CommandLine;
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
            "ERROR and CRITICAL events of the last N hours from ClickHouse, newest first, as a table. Exit 0; 1 ClickHouse rejected the query; " +
            "2 bad arguments, no ClickHouse connection configured, server unreachable or no events table. Example: pipeline errors --hours 6")
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
            var robotFilter = result.GetValue(robot) is { } r
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
                var cells = new List<string[]>(rows.Rows.Count);
                foreach (var row in rows.Rows)
                {
                    cells.Add([table.FormatTime(row[0]), row[1], row[2], row[3], row[4]]);
                }

                TablePrinter.Print(output, ["TIME (UTC)", "LEVEL", "ROBOT", "TYPE", "MESSAGE"], cells);
                output.WriteLine($"{cells.Count} error event(s) in the last {n} h{(cells.Count == max ? $" (limited to {max}; see --limit)" : "")}.");
                return 0;
            });
        });
        return command;
    }
}
