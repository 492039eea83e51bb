using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Graph;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class ClickHouseSinkTests : IAsyncLifetime
{
    private readonly string _database = ClickHouseServer.NewDatabase();
    private readonly TestBatches _batches = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task RowsLandWithEveryColumnUnescapedAndTyped()
    {
        await using var harness = Harness();
        await harness.Sink.StartAsync(CancellationToken.None);
        var batch = _batches.Parsed(
            """{"ts":"2025-06-15T12:34:56.789Z","robot_id":"r-\u00e9","level":"error","type":"motion","msg":"arm \"left\" stuck\nretrying \ud83e\udd16","trace_id":"t1","span_id":"s1","hash":"h1","joint":3,"pose":{"x":1.5}}""");

        await harness.Sink.Input.SendAsync(batch);
        await harness.CompleteAsync();

        var rows = await ClickHouseServer.Shared.RowsAsync(
            $"SELECT ts_ms, toString(ts), received_at_ms, robot_id, robot_name, site, toString(level), type, msg, template_id, trace_id, span_id, hash, protocol, conn_id, ingest_node, attrs FROM `{_database}`.logs");
        var row = Assert.Single(rows);
        Assert.Equal(
            [
                "1749990896789", "2025-06-15 12:34:56", TestBatches.ReceivedAt.ToString(CultureInfo.InvariantCulture), "r-é", "", "", "ERROR", "motion",
                "arm \"left\" stuck\\nretrying 🤖", "0", "t1", "s1", "h1", "tcp", "42", "test-node", """{"joint":3,"pose":{"x":1.5}}""",
            ],
            row);
    }

    [ClickHouseFact]
    public async Task LevelsAreStoredAsAnOrderedEnum()
    {
        await using var harness = Harness();
        var lines = new[] { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" }
            .Select(level => $$"""{"ts":1750000000000,"robot_id":"r1","level":"{{level}}","msg":"m"}""").ToArray();

        await harness.Sink.Input.SendAsync(_batches.Parsed(lines));
        await harness.CompleteAsync();

        Assert.Equal(3, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE level >= 'WARNING'"));
    }

    [ClickHouseFact]
    public async Task WrittenCounterCountsRowsOnlyAfterClickHouseAcknowledged()
    {
        await using var harness = Harness();
        await harness.Sink.Input.SendAsync(_batches.Events(0, 250));
        Assert.Equal(0, harness.Written);

        await harness.CompleteAsync();

        Assert.Equal(250, harness.Written);
        Assert.Equal(250, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs"));
        Assert.Equal(SinkHealth.Healthy, harness.Sink.Health);
    }

    [ClickHouseFact]
    public async Task ManyBatchesBecomeOneInsert()
    {
        await using var harness = Harness(o => o.BatchMaxDelay = TimeSpan.FromMinutes(5));
        for (var i = 0; i < 40; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 100, 100));
        }

        await harness.CompleteAsync();

        Assert.Equal(1, harness.Sink.InsertsWritten);
        Assert.Equal(4000, await ClickHouseServer.Shared.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs"));
    }

    [ClickHouseFact]
    public async Task AnInsertIsSentWhenTheRowLimitIsReached()
    {
        await using var harness = Harness(o =>
        {
            o.BatchMaxRows = 1000;
            o.BatchMaxDelay = TimeSpan.FromMinutes(5);
        });
        for (var i = 0; i < 10; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 300, 300));
        }

        await harness.WaitForAcknowledgedRowsAsync(2400);
        Assert.Equal(2, harness.Sink.InsertsWritten);

        await harness.CompleteAsync();
        Assert.Equal(3, harness.Sink.InsertsWritten);
        Assert.Equal(3000, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs"));
    }

    [ClickHouseFact]
    public async Task AnInsertIsSentWhenTheByteLimitIsReached()
    {
        await using var harness = Harness(o =>
        {
            o.BatchMaxBytes = 64 * 1024;
            o.BatchMaxDelay = TimeSpan.FromMinutes(5);
        });
        var big = new string('x', 10_000);
        var lines = Enumerable.Range(0, 20).Select(i => $$"""{"ts":1750000000000,"robot_id":"r1","msg":"{{big}}","seq":{{i}}}""").ToArray();
        foreach (var line in lines)
        {
            await harness.Sink.Input.SendAsync(_batches.Parsed(line));
        }

        await harness.CompleteAsync();

        // 7 rows of ~10 KB pass 64 KiB: 20 rows make 3 INSERTs (7 + 7 + 6).
        Assert.Equal(3, harness.Sink.InsertsWritten);
        Assert.Equal(20, harness.Written);
    }

    [ClickHouseFact]
    public async Task AnInsertIsSentWhenItsFirstRowIsMaxDelayOld()
    {
        var time = SinkHarness.FakeTime();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = Harness(o => o.BatchMaxDelay = TimeSpan.FromSeconds(1), time);
        harness.Sink.OnWaitingForBatchDelay = () => waiting.TrySetResult();

        await harness.Sink.Input.SendAsync(_batches.Events(0, 10));
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, harness.Sink.InsertsWritten);
        time.Advance(TimeSpan.FromSeconds(1));

        await harness.WaitForAcknowledgedRowsAsync(10);
        Assert.Equal(1, harness.Sink.InsertsWritten);
    }

    [ClickHouseFact]
    public async Task GzipAndUncompressedBodiesLandTheSameRows()
    {
        foreach (var compression in new[] { ClickHouseCompression.Gzip, ClickHouseCompression.None, ClickHouseCompression.Lz4 })
        {
            await using var harness = Harness(o => o.Compression = compression);
            await harness.Sink.Input.SendAsync(_batches.Events(0, 500));
            await harness.CompleteAsync();
        }

        Assert.Equal(1500, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs"));
        Assert.Equal(500, await ClickHouseServer.Shared.CountAsync($"SELECT uniqExact(msg) FROM `{_database}`.logs"));
    }

    [ClickHouseFact]
    public async Task EventBatchesAreReleasedToThePool()
    {
        await using var harness = Harness();
        for (var i = 0; i < 5; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 10, 10));
        }

        await harness.CompleteAsync();

        Assert.Equal(_batches.Pool.Created, _batches.Pool.Retained);
    }

    [Fact]
    public async Task SendAsyncWaitsWhenTheSinkIsFull()
    {
        // ClickHouse hangs: one INSERT in flight (the sender's capacity is 1), the accumulator waiting
        // to hand over the next, and BoundedCapacity (2) batches in the input. The fifth send waits.
        using var stalled = new StalledHttpServer();
        await using var harness = new SinkHarness(stalled.Url, _database, o =>
        {
            o.BoundedCapacity = 2;
            o.BatchMaxRows = 1;
            o.InsertAttempts = 1;
            o.RequestTimeout = TimeSpan.FromMinutes(2);
        });
        var sends = new List<Task<bool>>();
        for (var i = 0; i < 4; i++)
        {
            sends.Add(harness.Sink.Input.SendAsync(_batches.Events(i, 1)));
        }

        await stalled.RequestSeen.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30)), Assert.True);

        var fifth = harness.Sink.Input.SendAsync(_batches.Events(4, 1));
        Assert.False(fifth.IsCompleted);

        stalled.Dispose(); // the hung requests fail, the INSERTs go to the spool, room appears
        Assert.True(await fifth.WaitAsync(TimeSpan.FromSeconds(30)));
        await harness.CompleteAsync();
        Assert.Equal(5, harness.SpooledMetric);
    }

    private SinkHarness Harness(Action<ClickHouseSinkOptions>? configure = null, TimeProvider? time = null) =>
        new(ClickHouseServer.Shared.Url, _database, configure, time);
}
