using Pipeline.Tests.Shared.Counting;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.PatternMine;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.ClickHouse.Internal;
using Pipeline.Storage.ClickHouse.Patterns;
using Pipeline.Tests.Shared;

namespace Pipeline.ClickHouse.Tests.Patterns;

/// <summary>The whole service with the ClickHouse sink on: logs.template_id joins the patterns table.</summary>
public sealed class PatternsPipelineTests : IAsyncLifetime
{
    private readonly string _database = ClickHouseServer.NewDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task EventsWithAMessageGetTheirTemplatesIdWhichJoinsItsPatternRowWrittenAtShutdown()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var pipeline = await StartAsync(interval: "01:00:00"); // only the last round, at shutdown
        await pipeline.SendTcpAsync(Lines(dock: 30, battery: 20, silent: 5));
        await pipeline.StopAsync();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var server = ClickHouseServer.Shared;

        var ids = await server.RowsAsync($"SELECT template_id, count() AS events FROM `{_database}`.logs WHERE msg != '' GROUP BY template_id ORDER BY events DESC");
        Assert.Equal(["30", "20"], ids.Select(r => r[1]));
        Assert.DoesNotContain(ids, r => r[0] == "0");
        Assert.Equal(5, await server.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE msg = '' AND template_id = 0"));
        var miner = pipeline.Services.GetRequiredService<TemplateMiner>();
        var dock = miner.GetTemplates().Single(t => t.Count == 30);
        var battery = miner.GetTemplates().Single(t => t.Count == 20);
        Assert.Equal([Id(dock), Id(battery)], ids.Select(r => r[0]));

        var joined = await server.RowsAsync($"""
            SELECT template, count, count() AS events
            FROM `{_database}`.logs
            ANY LEFT JOIN (SELECT id AS template_id, template, count FROM `{_database}`.patterns FINAL) USING template_id
            WHERE msg != ''
            GROUP BY template, count
            ORDER BY events DESC
            """);
        Assert.Equal([[dock.Text, "30", "30"], [battery.Text, "20", "20"]], joined);
        Assert.Contains("<*>", dock.Text, StringComparison.Ordinal);

        var times = await server.RowsAsync($"SELECT first_seen_ms, last_seen_ms FROM `{_database}`.patterns FINAL");
        Assert.Equal(2, times.Count);
        Assert.All(times.SelectMany(r => r).Select(v => long.Parse(v, CultureInfo.InvariantCulture)), ms => Assert.InRange(ms, before, after));

        // The README's example queries run as written and find these patterns.
        var examples = ReadmeExamples().Select(q => q.Replace("pipeline.", $"`{_database}`.", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, examples.Count);
        var frequent = await server.RowsAsync(examples[0]);
        Assert.Equal([[Id(dock), dock.Text, "30", "30"], [Id(battery), battery.Text, "20", "20"]], frequent);
        Assert.Equal(2, (await server.RowsAsync(examples[1])).Count);
        Assert.Equal([[Id(dock), dock.Text, "30"], [Id(battery), battery.Text, "20"]], (await server.RowsAsync(examples[2])).Select(r => r[..3]));
    }

    [ClickHouseFact]
    public async Task CountsGrowOnTheNextRoundAndTheLatestRowWins()
    {
        await using var pipeline = await StartAsync(interval: "01:00:00");
        var sink = pipeline.Services.GetRequiredService<ClickHouseSink>();
        var writer = pipeline.Services.GetRequiredService<ClickHousePatternsWriter>();
        var written = new RunningTotal();
        sink.InsertAcknowledged += rows => written.Add(rows);

        await pipeline.SendTcpAsync(Lines(dock: 30, battery: 0, silent: 0));
        await written.WaitForAsync(30); // the sink is after the miner: every event has its template
        Assert.Equal(1, await writer.RoundAsync(CancellationToken.None));
        Assert.Equal(["30"], (await ClickHouseServer.Shared.RowsAsync($"SELECT count FROM `{_database}`.patterns FINAL")).Select(r => r[0]));

        await pipeline.SendTcpAsync(Lines(dock: 12, battery: 0, silent: 0));
        await written.WaitForAsync(42);
        Assert.Equal(1, await writer.RoundAsync(CancellationToken.None));

        Assert.Equal(["42"], (await ClickHouseServer.Shared.RowsAsync($"SELECT count FROM `{_database}`.patterns FINAL")).Select(r => r[0]));
        Assert.Equal(2, pipeline.Metric("pipeline_component_events_total", "clickhouse_patterns", "out"));
    }

    [ClickHouseFact]
    public async Task AMismatchingPatternsTableStopsTheServiceFromStartingWithAClearMessage()
    {
        var server = ClickHouseServer.Shared;
        await server.RunAsync($"CREATE DATABASE `{_database}`");
        await server.RunAsync(ClickHouseSchema.CreatePatternsTable(SchemaLayout.Legacy, _database, "patterns").Replace("id UInt64", "id Int64", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => StartAsync(interval: "00:00:10"));

        Assert.Contains("column 'id' is Int64, but the pipeline writes UInt64", error.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task WithoutThePatternMinerThereIsNoWriterAndNoPatternsTable()
    {
        await using (var pipeline = await StartAsync(interval: "00:00:10", ("PatternMine:Enabled", "false")))
        {
            Assert.Null(pipeline.Services.GetService<ClickHousePatternsWriter>());
            await pipeline.SendTcpAsync(Lines(dock: 3, battery: 0, silent: 0));
        }

        Assert.Equal(0, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM system.tables WHERE database = '{_database}' AND name = 'patterns'"));
        Assert.Equal(3, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE template_id = 0"));
    }

    [Fact]
    public void BadPatternsSettingsAreRejectedNamingTheKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => PipelineHost.Build(
        [
            "--Pipeline:Sinks:ClickHouse:Patterns:Interval=00:00:00",
            "--Pipeline:Sinks:ClickHouse:Patterns:Table=logs",
        ]));

        Assert.Contains("Pipeline:Sinks:ClickHouse:Patterns:Interval: must be at least 00:00:00.100", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Sinks:ClickHouse:Patterns:Table: must be a plain identifier (letters, digits, _) other than Table, got 'logs'", error.Message, StringComparison.Ordinal);
    }

    private Task<TestPipeline> StartAsync(string interval, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Sinks:ClickHouse:ConnectionString"] = ClickHouseServer.UrlOrNull!,
            ["Sinks:ClickHouse:Database"] = _database,
            ["Sinks:ClickHouse:BatchMaxDelay"] = "00:00:00.050",
            ["Sinks:ClickHouse:Patterns:Interval"] = interval,
            ["Sinks:Files:Enabled"] = "false",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return TestPipeline.StartAsync(settings);
    }

    /// <summary>The statements of the README's "Examples" block of the patterns section.</summary>
    private static List<string> ReadmeExamples()
    {
        var readme = File.ReadAllText(Path.Combine(Analysts.AnalystQueries.RepositoryRoot(), "src", "Storage", "ClickHouse", "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("```sql\n", readme.IndexOf("Examples (all run on 18.16", StringComparison.Ordinal), StringComparison.Ordinal) + 7;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        return block.Split(';').Select(q => string.Join('\n', q.Split('\n').Where(l => !l.StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(q => q.Length > 0).ToList();
    }

    private static string Id(PatternTemplate template) => template.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Two message patterns with numbers that vary, and events without a msg.</summary>
    private static byte[] Lines(int dock, int battery, int silent)
    {
        var text = new StringBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < dock; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""{"ts":{{now}},"robot_id":"r1","msg":"reached dock {{i}} after {{i * 37}} ms"}""").Append('\n');
        }

        for (var i = 0; i < battery; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""{"ts":{{now}},"robot_id":"r2","msg":"battery at {{i}} percent"}""").Append('\n');
        }

        for (var i = 0; i < silent; i++)
        {
            text.Append("""{"ts":1750000000000,"robot_id":"r3","type":"heartbeat"}""").Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
