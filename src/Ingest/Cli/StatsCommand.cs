using System.CommandLine;
using System.Globalization;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline stats --since 24h</c>: events per level, type and robot, error rates, the busiest robots.</summary>
internal static class StatsCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var since = new Option<string>("--since") { HelpName = "TIME", Description = $"Count events at or after: {TimeArgument.Help}.", DefaultValueFactory = _ => "24h" };
        var top = new Option<int>("--top") { HelpName = "N", Description = "Rows in the per-type and busiest-robot tables.", DefaultValueFactory = _ => 10 };
        var verb = new QueryVerb(overrides);
        var command = new Command("stats",
            "Event counts from ClickHouse or the rolling files (--source): a summary (events, robots, errors, error rate), events per level, the top types and the busiest robots " +
            "with their error rates (errors = ERROR and CRITICAL). Exit 0; 1 ClickHouse rejected the query; 2 bad arguments, no ClickHouse " +
            "connection configured, server unreachable, no events table or no rolling files. Example: pipeline stats --since 24h")
        {
            since, top,
        };
        verb.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var sinceText = result.GetValue(since) ?? "24h";
            var n = result.GetValue(top);
            if (!TimeArgument.TryParse(sinceText, DateTimeOffset.UtcNow, out var from))
            {
                error.WriteLine($"pipeline stats: --since '{sinceText}' is not {TimeArgument.Help}.");
                return Task.FromResult(2);
            }

            if (n <= 0)
            {
                error.WriteLine($"pipeline stats: --top must be at least 1, got {n}.");
                return Task.FromResult(2);
            }

            void Print(string[] row, List<string[]> levels, IReadOnlyList<string[]> types, IReadOnlyList<string[]> robots)
            {
                output.WriteLine($"Since {from.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({sinceText})");
                output.WriteLine();
                TablePrinter.Print(output, ["EVENTS", "ROBOTS", "ERRORS", "ERROR RATE"], [[row[0], row[1], row[2], Rate(row[2], row[0])]]);
                var levelRows = new List<string[]>();
                foreach (var level in levels)
                {
                    levelRows.Add([level[0], level[1], Rate(level[1], row[0])]);
                }

                output.WriteLine();
                TablePrinter.Print(output, ["LEVEL", "EVENTS", "SHARE"], levelRows);
                output.WriteLine();
                TablePrinter.Print(output, ["TYPE", "EVENTS", "ERRORS", "ERROR RATE"], WithRates(types));
                output.WriteLine();
                TablePrinter.Print(output, ["BUSIEST ROBOT", "EVENTS", "ERRORS", "ERROR RATE"], WithRates(robots));
            }

            return verb.RunAsync(result, "stats", error, async runner =>
            {
                var table = await EventsTable.OpenAsync(runner, cancellationToken).ConfigureAwait(false);
                var where = "WHERE " + table.TimeCondition(from, atLeast: true);
                const string Errors = "countIf(level >= 'ERROR')";

                var summary = await runner.QueryAsync(
                    $"SELECT count(), uniqExact(robot_id), {Errors} FROM {table.Name} {where}", cancellationToken).ConfigureAwait(false);
                var row = summary.Rows.Count > 0 ? summary.Rows[0] : ["0", "0", "0"];
                var levels = await runner.QueryAsync(
                    $"SELECT toString(level), count() FROM {table.Name} {where} GROUP BY level ORDER BY level", cancellationToken).ConfigureAwait(false);
                var types = await runner.QueryAsync(
                    $"SELECT type, count() AS events, {Errors} FROM {table.Name} {where} GROUP BY type ORDER BY events DESC, type LIMIT {n}",
                    cancellationToken).ConfigureAwait(false);
                var robots = await runner.QueryAsync(
                    $"SELECT robot_id, count() AS events, {Errors} FROM {table.Name} {where} GROUP BY robot_id ORDER BY events DESC, robot_id LIMIT {n}",
                    cancellationToken).ConfigureAwait(false);
                Print(row, [.. levels.Rows], types.Rows, robots.Rows);
                return 0;
            }, files =>
            {
                var stats = new FleetStats(new EventFilter(null, -1, null, null, from.ToUnixTimeMilliseconds(), long.MaxValue));
                var scan = files.Scanner.Scan(stats, files.Files, cancellationToken);
                var levels = new List<string[]>();
                for (var i = 0; i < stats.Levels.Length; i++)
                {
                    if (stats.Levels[i] > 0)
                    {
                        levels.Add([EventsTable.Levels[i], Count(stats.Levels[i])]);
                    }
                }

                Print([Count(stats.Events), Count(stats.Robots.Count), Count(stats.Errors)], levels, Top(stats.Types, n), Top(stats.Robots, n));
                files.Scanner.Report(scan);
                return 0;
            });
        });
        return command;
    }

    /// <summary>ORDER BY events DESC, key LIMIT n, as ClickHouse sorts (bytewise keys; ordinal is the same but for surrogates).</summary>
    private static List<string[]> Top(IReadOnlyDictionary<string, EventCounts> groups, int n)
    {
        var all = new List<KeyValuePair<string, EventCounts>>(groups);
        all.Sort(static (a, b) => a.Value.Events != b.Value.Events ? b.Value.Events.CompareTo(a.Value.Events) : string.CompareOrdinal(a.Key, b.Key));
        var rows = new List<string[]>(Math.Min(n, all.Count));
        for (var i = 0; i < all.Count && i < n; i++)
        {
            rows.Add([all[i].Key, Count(all[i].Value.Events), Count(all[i].Value.Errors)]);
        }

        return rows;
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static List<string[]> WithRates(IReadOnlyList<string[]> rows)
    {
        var cells = new List<string[]>(rows.Count);
        foreach (var row in rows)
        {
            cells.Add([row[0], row[1], row[2], Rate(row[2], row[1])]);
        }

        return cells;
    }

    private static string Rate(string part, string whole)
    {
        var p = double.Parse(part, CultureInfo.InvariantCulture);
        var w = double.Parse(whole, CultureInfo.InvariantCulture);
        return w == 0 ? "0.0%" : (100 * p / w).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    }
}
