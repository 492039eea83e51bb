using System.Text.Json;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>
/// <c>pipeline logs|stats|errors --source files</c> over files the real service wrote: the same rows, in the same
/// order and format, as the ClickHouse CLI tests expect of the same events in ClickHouse (LogsCommandTests,
/// StatsErrorsSqlCommandTests in Pipeline.ClickHouse.Tests).
/// </summary>
public sealed class FilesViewerTests(FleetFilesFixture fleet) : IClassFixture<FleetFilesFixture>
{
    private string[] Files => ["--data-dir", fleet.DataDir];

    [Fact]
    public async Task LogsPrintsEventsNewestFirstAsAnAlignedTable()
    {
        var run = await ViewerRun.RunAsync(["logs", "--since", "24h", .. Files]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var lines = run.Lines;
        Assert.Equal(2 + 6, lines.Length);
        Assert.StartsWith("TIME (UTC)", lines[0], StringComparison.Ordinal);
        Assert.Contains("CRITICAL", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("Motor overheated on axis 1", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("it's a path with a \\ and 'quotes'", lines[6], StringComparison.Ordinal);
        Assert.EndsWith("Camera lost frame sync", lines[7], StringComparison.Ordinal);
        var message = lines[0].IndexOf("MESSAGE", StringComparison.Ordinal);
        Assert.Equal(message, lines[2].IndexOf("Motor overheated", StringComparison.Ordinal));
        Assert.Equal(message, lines[5].IndexOf("Battery low", StringComparison.Ordinal));
        Assert.DoesNotContain("three days", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsWithoutSinceReadsAllEventsUpToTheLimit()
    {
        var all = await ViewerRun.RunAsync(["logs", .. Files]);
        var limited = await ViewerRun.RunAsync(["logs", "--limit", "2", .. Files]);

        Assert.Equal(2 + 7, all.Lines.Length);
        Assert.Contains("three days", all.Output, StringComparison.Ordinal);
        Assert.Equal(2 + 2, limited.Lines.Length);
        Assert.EndsWith("Motor stall on axis 2", limited.Lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsFiltersByRobotIdOrNameMinimumLevelTypeAndTextCaseInsensitively()
    {
        var robotAndLevel = await ViewerRun.RunAsync(["logs", "--robot", "r-1", "--level", "error", .. Files]);
        var byName = await ViewerRun.RunAsync(["logs", "--robot", "Robot r-2", .. Files]);
        var type = await ViewerRun.RunAsync(["logs", "--type", "nav", .. Files]);
        var grep = await ViewerRun.RunAsync(["logs", "--grep", "BATTERY", .. Files]);
        var warn = await ViewerRun.RunAsync(["logs", "--level", "WARN", .. Files]);

        Assert.Equal(2, robotAndLevel.Lines.Length - 2);
        Assert.DoesNotContain("waypoint", robotAndLevel.Output, StringComparison.Ordinal);
        Assert.Equal(2, byName.Lines.Length - 2);
        Assert.Equal(2, type.Lines.Length - 2);
        Assert.Single(grep.Lines[2..]);
        Assert.Contains("Battery low: 14%", grep.Output, StringComparison.Ordinal);
        Assert.Equal(5, warn.Lines.Length - 2);
    }

    [Fact]
    public async Task LogsTakesDurationsAndRfc3339TimesForSinceAndUntil()
    {
        var window = await ViewerRun.RunAsync(["logs", "--since", "4h", "--until", "1h", .. Files]);
        var from = DateTimeOffset.UtcNow.AddDays(-4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        var rfc = await ViewerRun.RunAsync(["logs", "--since", from, "--until", to, .. Files]);

        Assert.Equal(0, window.ExitCode);
        Assert.Single(window.Lines[2..]);
        Assert.Contains("Camera lost frame sync", window.Output, StringComparison.Ordinal);
        Assert.Equal(0, rfc.ExitCode);
        Assert.Single(rfc.Lines[2..]);
        Assert.Contains("three days", rfc.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsTreatsQuotesAndBackslashesInFiltersAsText()
    {
        var injection = await ViewerRun.RunAsync(["logs", "--robot", "r-1' OR '1'='1", .. Files]);
        var quotes = await ViewerRun.RunAsync(["logs", "--grep", "'quotes'", .. Files]);
        var backslash = await ViewerRun.RunAsync(["logs", "--grep", "\\ and", .. Files]);

        Assert.Equal(2, injection.Lines.Length);
        Assert.Single(quotes.Lines[2..]);
        Assert.Single(backslash.Lines[2..]);
    }

    [Fact]
    public async Task LogsJsonPrintsOneObjectPerLineWithTheClickHouseFieldsAndAttributesAsJson()
    {
        var run = await ViewerRun.RunAsync(["logs", "--json", "--robot", "r-1", "--limit", "1", .. Files]);

        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.Lines);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(
            ["ts", "robot_id", "robot_name", "site", "level", "type", "msg", "trace_id", "template_id", "template_id_str", "attrs"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("CRITICAL", root.GetProperty("level").GetString());
        Assert.Equal("r-1", root.GetProperty("robot_id").GetString());
        Assert.Equal("Robot r-1", root.GetProperty("robot_name").GetString());
        Assert.Equal("lab", root.GetProperty("site").GetString());
        Assert.Equal("Motor overheated on axis 1", root.GetProperty("msg").GetString());
        Assert.Equal(91.5, root.GetProperty("attrs").GetProperty("temp").GetDouble());
        Assert.EndsWith("Z", root.GetProperty("ts").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsCountsEventsRobotsErrorsLevelsTypesAndBusiestRobots()
    {
        var run = await ViewerRun.RunAsync(["stats", "--since", "24h", .. Files]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Lines;
        Assert.StartsWith("Since ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["6", "3", "3", "50.0%"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["DEBUG", "1", "16.7%"], lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["CRITICAL", "1", "16.7%"], lines[10].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["motor", "2", "2", "100.0%"], lines[13].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["nav", "2", "0", "0.0%"], lines[14].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["battery", "1", "0", "0.0%"], lines[15].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["r-1", "3", "2", "66.7%"], lines[19].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["r-2", "2", "0", "0.0%"], lines[20].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task StatsTopLimitsTheTypeAndRobotTables()
    {
        var run = await ViewerRun.RunAsync(["stats", "--since", "24h", "--top", "1", .. Files]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("motor", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("battery", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("r-2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorsListsErrorAndCriticalEventsOfTheLastHoursNewestFirst()
    {
        var run = await ViewerRun.RunAsync(["errors", "--hours", "6", .. Files]);
        var robot = await ViewerRun.RunAsync(["errors", "--hours", "6", "--robot", "r-3", .. Files]);
        var week = await ViewerRun.RunAsync(["errors", "--hours", "168", "--limit", "2", .. Files]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2 + 3 + 1, run.Lines.Length);
        Assert.EndsWith("Motor overheated on axis 1", run.Lines[2], StringComparison.Ordinal);
        Assert.EndsWith("Camera lost frame sync", run.Lines[4], StringComparison.Ordinal);
        Assert.Equal("3 error event(s) in the last 6 h.", run.Lines[^1]);
        Assert.Single(robot.Lines[2..^1]);
        Assert.Equal("2 error event(s) in the last 168 h (limited to 2; see --limit).", week.Lines[^1]);
    }
}
