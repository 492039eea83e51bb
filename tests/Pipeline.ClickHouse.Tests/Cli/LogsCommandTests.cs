using System.Text.Json;
using Pipeline.ClickHouse.Tests.Infrastructure;

namespace Pipeline.ClickHouse.Tests.Cli;

public sealed class LogsCommandTests(EventsFixture events) : IClassFixture<EventsFixture>
{
    [ClickHouseFact]
    public async Task LogsPrintsEventsNewestFirstAsAnAlignedTable()
    {
        var run = await CliRun.RunAsync(["logs", "--since", "24h", .. events.Connection]);

        Assert.Equal(0, run.ExitCode);
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

    [ClickHouseFact]
    public async Task LogsWithoutSinceReadsAllEventsUpToTheLimit()
    {
        var all = await CliRun.RunAsync(["logs", .. events.Connection]);
        var limited = await CliRun.RunAsync(["logs", "--limit", "2", .. events.Connection]);

        Assert.Equal(2 + 7, all.Lines.Length);
        Assert.Contains("three days", all.Output, StringComparison.Ordinal);
        Assert.Equal(2 + 2, limited.Lines.Length);
        Assert.EndsWith("Motor stall on axis 2", limited.Lines[3], StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task LogsFiltersByRobotMinimumLevelTypeAndText()
    {
        var robotAndLevel = await CliRun.RunAsync(["logs", "--robot", "r-1", "--level", "error", .. events.Connection]);
        var byName = await CliRun.RunAsync(["logs", "--robot", "Robot r-2", .. events.Connection]);
        var type = await CliRun.RunAsync(["logs", "--type", "nav", .. events.Connection]);
        var grep = await CliRun.RunAsync(["logs", "--grep", "BATTERY", .. events.Connection]);

        Assert.Equal(2, robotAndLevel.Lines.Length - 2);
        Assert.DoesNotContain("waypoint", robotAndLevel.Output, StringComparison.Ordinal);
        Assert.Equal(2, byName.Lines.Length - 2);
        Assert.Equal(2, type.Lines.Length - 2);
        Assert.Single(grep.Lines[2..]);
        Assert.Contains("Battery low: 14%", grep.Output, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task LogsTakesDurationsAndRfc3339TimesForSinceAndUntil()
    {
        var window = await CliRun.RunAsync(["logs", "--since", "4h", "--until", "1h", .. events.Connection]);
        var from = DateTimeOffset.UtcNow.AddDays(-4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        var rfc = await CliRun.RunAsync(["logs", "--since", from, "--until", to, .. events.Connection]);

        Assert.Equal(0, window.ExitCode);
        Assert.Single(window.Lines[2..]);
        Assert.Contains("Camera lost frame sync", window.Output, StringComparison.Ordinal);
        Assert.Equal(0, rfc.ExitCode);
        Assert.Single(rfc.Lines[2..]);
        Assert.Contains("three days", rfc.Output, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task LogsJsonPrintsOneObjectPerLineWithAttributesAsJson()
    {
        var run = await CliRun.RunAsync(["logs", "--json", "--robot", "r-1", "--limit", "1", .. events.Connection]);

        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.Lines);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal("CRITICAL", root.GetProperty("level").GetString());
        Assert.Equal("r-1", root.GetProperty("robot_id").GetString());
        Assert.Equal("Robot r-1", root.GetProperty("robot_name").GetString());
        Assert.Equal("Motor overheated on axis 1", root.GetProperty("msg").GetString());
        Assert.Equal(91.5, root.GetProperty("attrs").GetProperty("temp").GetDouble());
        Assert.EndsWith("Z", root.GetProperty("ts").GetString(), StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task LogsJsonCarriesATemplateIdAboveTwoToThe53ExactlyAsAString()
    {
        var run = await CliRun.RunAsync(["logs", "--json", "--robot", "r-1", "--limit", "2", .. events.Connection]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Lines.Length);
        Assert.Contains(",\"template_id\":9007199254740993,\"template_id_str\":\"9007199254740993\"", run.Lines[0], StringComparison.Ordinal);
        using var newest = JsonDocument.Parse(run.Lines[0]);
        Assert.NotEqual(EventsFixture.NewestTemplateId, (ulong)newest.RootElement.GetProperty("template_id").GetDouble()); // what a double makes of it
        Assert.Equal(EventsFixture.NewestTemplateId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            newest.RootElement.GetProperty("template_id_str").GetString());
        using var untemplated = JsonDocument.Parse(run.Lines[1]);
        Assert.False(untemplated.RootElement.TryGetProperty("template_id", out _), "an event without a template has no template_id, as in the files");
        Assert.False(untemplated.RootElement.TryGetProperty("template_id_str", out _));
    }

    [ClickHouseFact]
    public async Task LogsTreatsQuotesAndBackslashesInFiltersAsTextNotSql()
    {
        var injection = await CliRun.RunAsync(["logs", "--robot", "r-1' OR '1'='1", .. events.Connection]);
        var grepInjection = await CliRun.RunAsync(["logs", "--grep", "') > 0 OR 1 = 1 OR position(msg, '", .. events.Connection]);
        var quotes = await CliRun.RunAsync(["logs", "--grep", "'quotes'", .. events.Connection]);
        var backslash = await CliRun.RunAsync(["logs", "--grep", "\\ and", .. events.Connection]);

        Assert.Equal(0, injection.ExitCode);
        Assert.Equal(2, injection.Lines.Length);
        Assert.Equal(0, grepInjection.ExitCode);
        Assert.Equal(2, grepInjection.Lines.Length);
        Assert.Single(quotes.Lines[2..]);
        Assert.Single(backslash.Lines[2..]);
    }

    [ClickHouseFact]
    public async Task LogsSaysWhichSettingsToFixWhenTheTableDoesNotExist()
    {
        var run = await CliRun.RunAsync(["logs", "--clickhouse", events.Url, "--Pipeline:Sinks:ClickHouse:Table=no_such_table"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no_such_table", run.Error, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Sinks:ClickHouse:Database", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--level", "LOUD", "--level 'LOUD' is not a level")]
    [InlineData("--since", "yesterday", "--since 'yesterday' is not a duration")]
    [InlineData("--until", "5 minutes", "--until '5 minutes' is not a duration")]
    [InlineData("--since", "24x", "--since '24x' is not a duration")]
    [InlineData("--limit", "0", "--limit must be at least 1")]
    public async Task LogsRejectsBadInputWithExitCode2(string option, string value, string message)
    {
        var run = await CliRun.RunAsync("logs", option, value, "--clickhouse", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task LogsRejectsUnknownArguments()
    {
        var run = await CliRun.RunAsync("logs", "--robbot", "r-1", "--clickhouse", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--robbot", run.Error, StringComparison.Ordinal);
    }
}
