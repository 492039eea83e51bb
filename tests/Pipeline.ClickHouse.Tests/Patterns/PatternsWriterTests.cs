using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.ClickHouse.Internal;
using Pipeline.Storage.ClickHouse.Patterns;

namespace Pipeline.ClickHouse.Tests.Patterns;

/// <summary>The patterns writer against the real server, fed by a miner the test drives (no graph).</summary>
public sealed class PatternsWriterTests : IAsyncLifetime
{
    private static readonly long Start = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly string _database = ClickHouseServer.NewDatabase();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(Start));
    private readonly PipelineMetrics _metrics = new();
    private readonly CollectingLogger _logger = new();
    private readonly TemplateMiner _miner = new(new PatternMineOptions { WordVariantsBeforeVariable = 3 });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task CreatesThePatternsTableOnStartInAnEmptyDatabase()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        var table = Assert.Single(await ClickHouseServer.Shared.RowsAsync(
            $"SELECT engine, sorting_key FROM system.tables WHERE database = '{_database}' AND name = 'patterns'"));
        Assert.Equal(["ReplacingMergeTree", "id"], table);
        var columns = (await ClickHouseServer.Shared.RowsAsync(
            $"SELECT name FROM system.columns WHERE database = '{_database}' AND table = 'patterns'")).Select(r => r[0]).ToList();
        foreach (var name in (string[])["id", "template", "first_seen", "last_seen", "count", "version"])
        {
            Assert.Contains(name, columns);
        }
    }

    [ClickHouseFact]
    public async Task AnExistingPatternsTableWithAColumnOfTheWrongTypeStopsTheStartNamingTheColumn()
    {
        var server = ClickHouseServer.Shared;
        await server.RunAsync($"CREATE DATABASE `{_database}`");
        await server.RunAsync(ClickHouseSchema.CreatePatternsTable(SchemaLayout.Legacy, _database, "patterns").Replace("count UInt64", "count Int32", StringComparison.Ordinal));
        using var writer = Writer(server.Url);

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => writer.StartAsync(CancellationToken.None));

        Assert.Contains($"ClickHouse table {_database}.patterns does not match what the pipeline writes: column 'count' is Int32, but the pipeline writes UInt64", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Sinks:ClickHouse:Patterns:Table", error.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task AnExistingPatternsTableThatIsNotReplacingStopsTheStartNamingTheEngine()
    {
        var server = ClickHouseServer.Shared;
        await server.RunAsync($"CREATE DATABASE `{_database}`");
        await server.RunAsync(ClickHouseSchema.CreatePatternsTable(SchemaLayout.Legacy, _database, "patterns").Replace("ReplacingMergeTree(version)", "MergeTree()", StringComparison.Ordinal));
        using var writer = Writer(server.Url);

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => writer.StartAsync(CancellationToken.None));

        Assert.Contains("its engine is MergeTree, but it must be ReplacingMergeTree(version)", error.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task ARoundWritesOneRowPerTemplateWithItsTextCountAndTimes()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        var dock = Add("robot r1 reached dock 3", Start + 1000);
        Assert.Same(dock, Add("robot r2 reached dock 7", Start + 2000));
        var battery = Add("battery low on r1", Start + 3000);

        Assert.Equal(2, await writer.RoundAsync(CancellationToken.None));

        var rows = await PatternsAsync();
        Assert.Equal([Id(dock), dock.Text, "2", Ms(Start + 1000), Ms(Start + 2000), Utc(Start + 1000), Utc(Start + 2000)], rows[dock.Id]);
        Assert.Equal([Id(battery), "battery low on <*>", "1", Ms(Start + 3000), Ms(Start + 3000), Utc(Start + 3000), Utc(Start + 3000)], rows[battery.Id]);
        Assert.Equal(2, writer.RowsWritten);
    }

    [ClickHouseFact]
    public async Task OnlyTemplatesThatChangedAreWrittenAgainAndTheLatestRowWins()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        var dock = Add("robot r1 reached dock 3", Start + 1000);
        Add("battery low on r1", Start + 2000);
        Assert.Equal(2, await writer.RoundAsync(CancellationToken.None));
        Assert.Equal(0, await writer.RoundAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(10));
        Add("robot r2 reached dock 4", Start + 12_000);
        Add("robot r3 reached dock 5", Start + 13_000);

        Assert.Equal(1, await writer.RoundAsync(CancellationToken.None));
        var latest = (await PatternsAsync())[dock.Id];
        Assert.Equal(["3", Ms(Start + 1000), Ms(Start + 13_000)], latest[2..5]);
        // Until ClickHouse merges the parts both rows may be stored: argMax sees the newer one, as FINAL does.
        Assert.Equal("3", (await ClickHouseServer.Shared.RunAsync(
            $"SELECT argMax(count, version) FROM `{_database}`.patterns WHERE id = {Id(dock)}")).Trim());
        await ClickHouseServer.Shared.RunAsync($"OPTIMIZE TABLE `{_database}`.patterns FINAL");
        Assert.Equal("2", (await ClickHouseServer.Shared.RunAsync($"SELECT count() FROM `{_database}`.patterns")).Trim());
        Assert.Equal("3", (await ClickHouseServer.Shared.RunAsync($"SELECT count FROM `{_database}`.patterns WHERE id = {Id(dock)}")).Trim());
    }

    [ClickHouseFact]
    public async Task TheTimerWritesARoundEveryInterval()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url, intervalSeconds: 10);
        var rounds = new List<TaskCompletionSource<int>> { new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var round = 0;
        writer.RoundCompleted += rows => rounds[Math.Min(round++, 1)].TrySetResult(rows);
        await writer.StartAsync(CancellationToken.None);
        Add("robot r1 reached dock 3", Start + 1000);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(rounds[0].Task.IsCompleted, "no round before the interval");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await rounds[0].Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Add("battery low on r1", Start + 11_000);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await rounds[1].Task.WaitAsync(TimeSpan.FromSeconds(30)));

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(2, (await PatternsAsync()).Count);
    }

    [ClickHouseFact]
    public async Task StoppingWritesWhatChangedSinceTheLastRound()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        Add("robot r1 reached dock 3", Start + 1000);

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal("1", Assert.Single(await PatternsAsync()).Value[2]);
    }

    [ClickHouseFact]
    public async Task AnyUtf8TextAndIdsAboveInt64MaxRoundTrip()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        string[] messages =
        [
            "température du moteur élevée",
            "Roboter 機器人 meldet Fehler 🤖",
            "path C:\\robots\\arm 'quoted' \"double\"",
            "control \u0001 char and ünïcödé",
        ];
        foreach (var message in messages)
        {
            Add(message, Start + 1000);
        }

        // Ids use all 64 bits: find words whose template id has the top bit set (a hash: about every other one).
        var word = 0;
        while (!_miner.GetTemplates().Any(t => t.Id > long.MaxValue))
        {
            Add($"unsigned{word++} check", Start + 1000);
        }

        await writer.RoundAsync(CancellationToken.None);

        var rows = await PatternsAsync();
        foreach (var template in _miner.GetTemplates())
        {
            Assert.Equal(template.Text, TabSeparated.Unescape(rows[template.Id][1]));
        }

        Assert.Contains(rows.Keys, id => id > long.MaxValue);
        Assert.Contains(rows.Values, r => TabSeparated.Unescape(r[1]) == "Roboter 機器人 meldet Fehler 🤖");
    }

    [ClickHouseFact]
    public async Task AMergedTemplateKeepsItsLastRowSoItsIdStillJoins()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        var alpha = Add("VM alpha started", Start + 1000);
        var beta = Add("VM beta started", Start + 2000);
        Assert.NotEqual(alpha.Id, beta.Id);
        Assert.Equal(2, await writer.RoundAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(10));
        var gamma = Add("VM gamma started", Start + 12_000);

        Assert.Same(alpha, gamma);
        Assert.Same(alpha, beta.MergedInto);
        Assert.Equal(1, await writer.RoundAsync(CancellationToken.None));
        var rows = await PatternsAsync();
        Assert.Equal("VM <*> started", rows[alpha.Id][1]);
        Assert.Equal("3", rows[alpha.Id][2]);
        Assert.Equal(["VM beta started", "1"], rows[beta.Id][1..3]);
    }

    [ClickHouseFact]
    public async Task ATrackedTemplateMergedAwayBeforeAnyRoundStillGetsItsRow()
    {
        using var writer = Writer(ClickHouseServer.Shared.Url);
        await writer.StartAsync(CancellationToken.None);
        var alpha = AddTracked(writer, "VM alpha started", Start + 1000);
        var beta = AddTracked(writer, "VM beta started", Start + 2000);
        AddTracked(writer, "VM gamma started", Start + 3000);
        Assert.Same(alpha, beta.MergedInto);
        Assert.DoesNotContain(beta, _miner.GetTemplates());

        Assert.Equal(2, await writer.RoundAsync(CancellationToken.None));

        var rows = await PatternsAsync();
        Assert.Equal(["VM <*> started", "3"], rows[alpha.Id][1..3]);
        // Its messages count in the template it merged into; the row is there so its id joins.
        Assert.Equal(["VM beta started", "0", Ms(Start + 2000), Ms(Start + 2000)], rows[beta.Id][1..5]);
        Assert.Equal(0, await writer.RoundAsync(CancellationToken.None));
    }

    [ClickHouseFact]
    public async Task ARoundDuringAnOutageIsCountedLoggedOnceAndRetriedWithEverythingUnwritten()
    {
        await using var server = PrivateClickHouse.Reserve();
        using var writer = Writer(server.Url);
        var errors = _metrics.ComponentErrors.WithLabels("clickhouse_patterns", "insert");
        await writer.StartAsync(CancellationToken.None); // down: logged, not fatal
        var dock = Add("robot r1 reached dock 3", Start + 1000);
        Assert.Equal(-1, await writer.RoundAsync(CancellationToken.None));
        Add("robot r2 reached dock 4", Start + 2000);
        var battery = Add("battery low on r1", Start + 3000);
        Assert.Equal(-1, await writer.RoundAsync(CancellationToken.None));

        Assert.Equal(2, errors.Value);
        Assert.Equal(1, _metrics.ComponentErrors.WithLabels("clickhouse_patterns", "setup").Value);
        Assert.Single(_logger.Lines, l => l.Level == LogLevel.Warning);

        await server.StartAgainAsync();
        Assert.Equal(2, await writer.RoundAsync(CancellationToken.None));

        Assert.Single(_logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains(_logger.Lines, l => l.Message.Contains("again: 2 written", StringComparison.Ordinal));
        var rows = await PatternsAsync(server.Client);
        Assert.Equal(["2", Ms(Start + 1000), Ms(Start + 2000)], rows[dock.Id][2..5]);
        Assert.Equal("1", rows[battery.Id][2]);
    }

    /// <summary>A writer whose timer does not fire unless a test moves the clock by <paramref name="intervalSeconds"/>: rounds are the test's own.</summary>
    private ClickHousePatternsWriter Writer(string url, int intervalSeconds = 3600) => new(_miner,
        new ClickHouseSinkOptions { ConnectionString = url, Database = _database, Patterns = { Interval = TimeSpan.FromSeconds(intervalSeconds) } },
        _metrics, _time, _logger);

    /// <summary>As the pattern-mine block does with its created callback wired to the writer.</summary>
    private PatternTemplate AddTracked(ClickHousePatternsWriter writer, string message, long unixMs)
    {
        var match = _miner.Add(Encoding.UTF8.GetBytes(message));
        match.Template.Seen(unixMs);
        if (match.Kind == MatchKind.Created)
        {
            writer.Track(match.Template);
        }

        return match.Template;
    }

    private PatternTemplate Add(string message, long unixMs)
    {
        var template = _miner.Add(Encoding.UTF8.GetBytes(message)).Template;
        template.Seen(unixMs);
        return template;
    }

    private static string Id(PatternTemplate template) => template.Id.ToString(CultureInfo.InvariantCulture);

    private static string Ms(long unixMs) => unixMs.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The latest row per id (FINAL), as TabSeparated text: id, template, count, first_seen_ms,
    /// last_seen_ms, first_seen, last_seen (the test server is 18.16: the legacy layout).
    /// </summary>
    private async Task<Dictionary<ulong, string[]>> PatternsAsync(ClickHouseServer? server = null)
    {
        var rows = await (server ?? ClickHouseServer.Shared).RowsAsync(
            $"SELECT id, template, count, first_seen_ms, last_seen_ms, toString(first_seen, 'UTC'), toString(last_seen, 'UTC') FROM `{_database}`.patterns FINAL");
        return rows.ToDictionary(r => ulong.Parse(r[0], CultureInfo.InvariantCulture));
    }

    private static string Utc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
