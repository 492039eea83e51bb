using System.CommandLine;
using System.Text.RegularExpressions;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline sql "&lt;query&gt;"</c>: any query against ClickHouse, its rows as a table.</summary>
internal static partial class SqlCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var query = new Argument<string>("query") { Description = "The SQL to run, quoted as one argument." };
        var verb = new QueryVerb(overrides);
        var command = new Command("sql",
            "Runs one query against ClickHouse (the service's Pipeline:Sinks:ClickHouse:ConnectionString or --clickhouse). " +
            "SELECT, SHOW, DESCRIBE, EXISTS, EXPLAIN and WITH queries print a table with the column names; with their own FORMAT clause " +
            "the server's output is printed as it is; other statements print OK. Exit 0; 1 ClickHouse rejected the query; 2 an empty query, " +
            "no ClickHouse connection configured or server unreachable. " +
            "Example: pipeline sql \"SELECT robot_id, count() FROM pipeline.logs GROUP BY robot_id\"")
        {
            query,
        };
        verb.AddTo(command, files: false);
        command.SetAction((result, cancellationToken) =>
        {
            var sql = (result.GetValue(query) ?? "").Trim().TrimEnd(';').TrimEnd();
            if (sql.Length == 0)
            {
                error.WriteLine("pipeline sql: the query is empty.");
                return Task.FromResult(2);
            }

            return verb.RunAsync(result, "sql", error, async runner =>
            {
                if (HasFormat().IsMatch(sql))
                {
                    await output.WriteAsync(await runner.RawAsync(sql, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
                else if (ReturnsRows().IsMatch(sql))
                {
                    var rows = await runner.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
                    TablePrinter.Print(output, rows.Columns, rows.Rows);
                    output.WriteLine($"({rows.Rows.Count} row{(rows.Rows.Count == 1 ? "" : "s")})");
                }
                else
                {
                    var answer = await runner.RawAsync(sql, cancellationToken).ConfigureAwait(false);
                    await output.WriteAsync(answer.Length == 0 ? "OK\n" : answer).ConfigureAwait(false);
                }

                return 0;
            });
        });
        return command;
    }

    [GeneratedRegex(@"^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReturnsRows();

    [GeneratedRegex(@"\bFORMAT\s+[A-Za-z]+\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HasFormat();
}
