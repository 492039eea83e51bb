using Pipeline.ClickHouse.Tests.Infrastructure;

namespace Pipeline.ClickHouse.Tests.Cli;

public sealed class StatsErrorsSqlCommandTests(EventsFixture events) : IClassFixture<EventsFixture>
{
    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [ClickHouseFact]
    public async Task StatsCountsEventsPerLevelTypeAndRobotWithErrorRates()
    {
        var run = await CliRun.RunAsync(["stats", "--since", "24h", .. events.Connection]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Lines;
        var summary = Array.FindIndex(lines, l => l.StartsWith("EVENTS", StringComparison.Ordinal));
        Assert.Equal(["6", "3", "3", "50.0%"], Cells(lines[summary + 2]));

        var levels = Array.FindIndex(lines, l => l.StartsWith("LEVEL", StringComparison.Ordinal));
        Assert.Equal(["DEBUG", "1", "16.7%"], Cells(lines[levels + 2]));
        Assert.Equal(["ERROR", "2", "33.3%"], Cells(lines[levels + 5]));
        Assert.Equal(["CRITICAL", "1", "16.7%"], Cells(lines[levels + 6]));

        var types = Array.FindIndex(lines, l => l.StartsWith("TYPE", StringComparison.Ordinal));
        Assert.Equal(["motor", "2", "2", "100.0%"], Cells(lines[types + 2]));
        Assert.Equal(["nav", "2", "0", "0.0%"], Cells(lines[types + 3]));

        var robots = Array.FindIndex(lines, l => l.StartsWith("BUSIEST ROBOT", StringComparison.Ordinal));
        Assert.Equal(["r-1", "3", "2", "66.7%"], Cells(lines[robots + 2]));
        Assert.Equal(["r-2", "2", "0", "0.0%"], Cells(lines[robots + 3]));
        Assert.Equal(["r-3", "1", "1", "100.0%"], Cells(lines[robots + 4]));
    }

    [ClickHouseFact]
    public async Task StatsTopLimitsTheTypeAndRobotTables()
    {
        var run = await CliRun.RunAsync(["stats", "--since", "7d", "--top", "1", .. events.Connection]);

        Assert.Equal(0, run.ExitCode);
        var robots = Array.FindIndex(run.Lines, l => l.StartsWith("BUSIEST ROBOT", StringComparison.Ordinal));
        Assert.Equal(robots + 3, run.Lines.Length);
        Assert.Contains(["7", "3", "4", "57.1%"], run.Lines.Select(Cells));
    }

    [ClickHouseFact]
    public async Task ErrorsListsErrorAndCriticalEventsOfTheLastHoursNewestFirst()
    {
        var hour = await CliRun.RunAsync(["errors", "--hours", "1", .. events.Connection]);
        var day = await CliRun.RunAsync(["errors", "--hours", "24", .. events.Connection]);

        Assert.Equal(0, hour.ExitCode);
        Assert.StartsWith("TIME (UTC)", hour.Lines[0], StringComparison.Ordinal);
        Assert.Equal(2 + 2 + 1, hour.Lines.Length);
        Assert.EndsWith("Motor overheated on axis 1", hour.Lines[2], StringComparison.Ordinal);
        Assert.Contains("CRITICAL", hour.Lines[2], StringComparison.Ordinal);
        Assert.EndsWith("Motor stall on axis 2", hour.Lines[3], StringComparison.Ordinal);
        Assert.Equal("2 error event(s) in the last 1 h.", hour.Lines[4]);
        Assert.Equal(2 + 3 + 1, day.Lines.Length);
        Assert.EndsWith("Camera lost frame sync", day.Lines[4], StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", day.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task ErrorsRejectsHoursBelowOne(string hours)
    {
        var run = await CliRun.RunAsync("errors", "--hours", hours, "--clickhouse", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--hours must be at least 1", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsRejectsABadDuration()
    {
        var run = await CliRun.RunAsync("stats", "--since", "a while", "--clickhouse", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--since 'a while' is not a duration", run.Error, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task SqlPrintsAnyQueryAsATableWithColumnNames()
    {
        var run = await CliRun.RunAsync("sql",
            $"SELECT robot_id, count() AS events FROM `{events.Database}`.logs GROUP BY robot_id ORDER BY robot_id;",
            "--clickhouse", events.Url);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["robot_id", "events"], Cells(run.Lines[0]));
        Assert.Equal(["r-1", "3"], Cells(run.Lines[2]));
        Assert.Equal(["r-2", "2"], Cells(run.Lines[3]));
        Assert.Equal(["r-3", "2"], Cells(run.Lines[4]));
        Assert.Equal("(3 rows)", run.Lines[5]);
    }

    [ClickHouseFact]
    public async Task SqlReadsTheConnectionFromTheServiceConfiguration()
    {
        var run = await CliRun.RunAsync("sql", "SELECT 1 + 1 AS two", $"--Pipeline:Sinks:ClickHouse:ConnectionString={events.Url}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["two"], Cells(run.Lines[0]));
        Assert.Equal(["2"], Cells(run.Lines[2]));
    }

    [ClickHouseFact]
    public async Task SqlPrintsTheServerOutputWhenTheQueryHasItsOwnFormat()
    {
        var run = await CliRun.RunAsync("sql", "SELECT 7 AS n, 'x' AS s FORMAT TabSeparatedWithNames", "--clickhouse", events.Url);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("n\ts\n7\tx\n", run.Output);
    }

    [ClickHouseFact]
    public async Task SqlRunsStatementsThatReturnNoRows()
    {
        var run = await CliRun.RunAsync("sql", $"CREATE TABLE `{events.Database}`.scratch (x UInt8) ENGINE = Memory", "--clickhouse", events.Url);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("OK\n", run.Output);
        Assert.Equal(0, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{events.Database}`.scratch"));
    }

    [ClickHouseFact]
    public async Task SqlPrintsTheServerErrorAndExitsWith1()
    {
        var run = await CliRun.RunAsync("sql", "SELEC 1", "--clickhouse", events.Url);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pipeline sql: ClickHouse: Code: 62", run.Error, StringComparison.Ordinal);
    }
}
