using System.Globalization;
using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;

namespace Pipeline.ClickHouse.Tests.Cli;

/// <summary>
/// One service writes the same events to ClickHouse and to the rolling files; every filter of logs, errors and stats
/// then prints the same thing from <c>--source files</c> as from <c>--source clickhouse</c>.
/// </summary>
public sealed class FilesParityTests(FilesParityFixture written) : IClassFixture<FilesParityFixture>
{
    private static readonly (TimeSpan Ago, string Robot, string Level, string Type, string Msg)[] Events =
    [
        (TimeSpan.FromMinutes(5), "r-1", "CRITICAL", "motor", "Motor overheated on axis 1"),
        (TimeSpan.FromMinutes(10), "r-1", "ERROR", "motor", "Motor stall on axis 2"),
        (TimeSpan.FromMinutes(15), "r-1", "INFO", "nav", "Reached waypoint 7"),
        (TimeSpan.FromMinutes(20), "r-2", "WARNING", "battery", "Battery low: 14%"),
        (TimeSpan.FromMinutes(25), "r-2", "DEBUG", "nav", "it's a path with a \\\\ and 'quotes' \\u00e9t\\u00c9"),
        (TimeSpan.FromMinutes(26), "r-2", "warn", "nav", "Caf\\u00e9 \\\"quoted\\\" BATTERY"),
        (TimeSpan.FromHours(3), "r-3", "ERROR", "camera", "Camera lost frame sync"),
        (TimeSpan.FromHours(30), "r-3", "ERROR", "camera", "Old error from yesterday"),
        (TimeSpan.FromDays(3), "r-3", "CRITICAL", "camera", "Old error from three days ago"),
    ];

    public static TheoryData<string[]> Queries => new()
    {
        new[] { "logs" },
        new[] { "logs", "--limit", "3" },
        new[] { "logs", "--since", "24h" },
        new[] { "logs", "--since", "4h", "--until", "12m" },
        new[] { "logs", "--robot", "r-1" },
        new[] { "logs", "--robot", "Robot r-2" },
        new[] { "logs", "--level", "WARNING" },
        new[] { "logs", "--type", "nav" },
        new[] { "logs", "--grep", "battery" },
        new[] { "logs", "--grep", "ÉT" },
        new[] { "logs", "--grep", "\"quoted\"" },
        new[] { "logs", "--json" },
        new[] { "logs", "--json", "--robot", "r-2", "--level", "DEBUG", "--grep", "a" },
        new[] { "errors" },
        new[] { "errors", "--hours", "100", "--limit", "2" },
        new[] { "errors", "--hours", "100", "--robot", "r-3" },
        new[] { "stats" },
        new[] { "stats", "--since", "7d", "--top", "2" },
    };

    [ClickHouseTheory]
    [MemberData(nameof(Queries))]
    public async Task FilesAndClickHouseGiveTheSameAnswer(string[] query)
    {
        var clickHouse = await CliRun.RunAsync([.. query, "--source", "clickhouse", "--clickhouse", ClickHouseServer.Shared.Url,
            $"--Pipeline:Sinks:ClickHouse:Database={written.Database}"]);
        var files = await CliRun.RunAsync([.. query, "--source", "files", "--data-dir", written.DataDir]);

        Assert.Equal(0, clickHouse.ExitCode);
        Assert.Equal("", clickHouse.Error);
        Assert.Equal(0, files.ExitCode);
        Assert.Equal("", files.Error);
        Assert.True(clickHouse.Lines.Length > (query.Contains("--json") ? 0 : 2), clickHouse.Output);
        // stats' first line names the --since time, taken when each run started.
        var skip = query[0] == "stats" ? 1 : 0;
        Assert.Equal(clickHouse.Lines[skip..], files.Lines[skip..]);
    }

    internal static string Lines(DateTimeOffset now)
    {
        var text = new StringBuilder();
        foreach (var (ago, robot, level, type, msg) in Events)
        {
            var ts = (now - ago).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"ts\":\"{ts}\",\"robot_id\":\"{robot}\",\"level\":\"{level}\",\"type\":\"{type}\",\"msg\":\"{msg}\",\"data\":{{\"n\":1}}}}\n");
        }

        return text.ToString();
    }
}
