using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.ClickHouse.Tests.Cli;

public sealed class QueryVerbTests
{
    [Theory]
    [InlineData("logs")]
    [InlineData("stats")]
    [InlineData("errors")]
    [InlineData("sql")]
    public async Task EveryVerbNamesTheSettingWhenNoConnectionIsConfigured(string verb)
    {
        string[] args = verb == "sql" ? [verb, "SELECT 1"] : [verb];
        var run = await CliRun.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--clickhouse", run.Error, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Sinks:ClickHouse:ConnectionString", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("logs")]
    [InlineData("stats")]
    [InlineData("errors")]
    [InlineData("sql")]
    public async Task EveryVerbExitsWith2WhenTheServerCannotBeReached(string verb)
    {
        string[] args = verb == "sql" ? [verb, "SELECT 1"] : [verb];
        var run = await CliRun.RunAsync([.. args, "--Pipeline:Sinks:ClickHouse:ConnectionString=http://127.0.0.1:1"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot reach ClickHouse at http://127.0.0.1:1", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("logs")]
    [InlineData("stats")]
    [InlineData("errors")]
    [InlineData("sql")]
    public async Task EveryVerbAndOptionHasHelpText(string verb)
    {
        var root = Pipeline.Ingest.Cli.PipelineCommands.Create(TextWriter.Null, TextWriter.Null, TextReader.Null, new Pipeline.Ingest.Cli.ConfigurationOverrides());
        var command = Assert.Single(root.Subcommands, c => c.Name == verb);

        Assert.False(string.IsNullOrWhiteSpace(command.Description));
        Assert.All(command.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), o.Name));
        Assert.All(command.Arguments, a => Assert.False(string.IsNullOrWhiteSpace(a.Description), a.Name));
        var help = await CliRun.RunAsync(verb, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--clickhouse", help.Output, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task AnUnknownUserIsAConnectionProblemWithExitCode2()
    {
        var url = new UriBuilder(ClickHouseServer.UrlOrNull!) { UserName = "nobody", Password = "x" }.Uri.ToString();

        var run = await CliRun.RunAsync("sql", "SELECT 1", "--clickhouse", url);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("refused user 'nobody'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(":x@", run.Error, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task ADriverConnectionStringWorksLikeAnUrl()
    {
        var url = new Uri(ClickHouseServer.UrlOrNull!);

        var run = await CliRun.RunAsync("sql", "SELECT 3 AS n", "--clickhouse", $"Host={url.Host};Port={url.Port};Username=default");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["n", "-", "3", "(1 row)"], run.Lines);
    }

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("24h", 24 * 3600)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("1h30m", 5400)]
    [InlineData("90s", 90)]
    public void DurationsCountBackFromNow(string text, int seconds)
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        Assert.True(TimeArgument.TryParse(text, now, out var time));

        Assert.Equal(now.AddSeconds(-seconds), time);
    }

    [Theory]
    [InlineData("2026-11-23T14:00:00Z", "2026-11-23T14:00:00.0000000+00:00")]
    [InlineData("2026-11-23T16:00:00+02:00", "2026-11-23T14:00:00.0000000+00:00")]
    [InlineData("2026-11-23T14:00:00.250Z", "2026-11-23T14:00:00.2500000+00:00")]
    public void Rfc3339TimesAreReadAsUtc(string text, string expected)
    {
        Assert.True(TimeArgument.TryParse(text, DateTimeOffset.UnixEpoch, out var time));

        Assert.Equal(expected, time.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("24")]
    [InlineData("-5m")]
    [InlineData("yesterday")]
    [InlineData("10 m")]
    public void NonsenseIsNotATime(string text)
    {
        Assert.False(TimeArgument.TryParse(text, DateTimeOffset.UnixEpoch, out _));
    }

    [ClickHouseFact]
    public async Task QuotedLiteralsComeBackUnchangedFromTheServer()
    {
        var nasty = "a'b\\c\"d\ne\tf' OR 1=1 -- ü";
        using var runner = new QueryRunner(ClickHouseTarget.Parse(ClickHouseServer.UrlOrNull!, "pipeline", "logs"), TimeSpan.FromSeconds(30));

        var result = await runner.QueryAsync($"SELECT {SqlLiteral.Quote(nasty)} AS v", CancellationToken.None);

        Assert.Equal(["v"], result.Columns);
        Assert.Equal(nasty, Assert.Single(result.Rows)[0]);
    }
}
