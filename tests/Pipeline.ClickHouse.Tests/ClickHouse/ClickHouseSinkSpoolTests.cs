using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.ClickHouse.Tests.Infrastructure;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

/// <summary>The sink when ClickHouse does not acknowledge: spool on disk, replay in order, never lose.</summary>
public sealed class ClickHouseSinkSpoolTests : IAsyncLifetime
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
    public async Task WrongHostSpoolsThenReplaysWhenTheServerAppears()
    {
        await using var server = PrivateClickHouse.Reserve();
        await using var harness = new SinkHarness(server.Url, _database, o => o.BatchMaxRows = 100);
        await harness.Sink.StartAsync(CancellationToken.None);
        Assert.Equal(SinkHealth.Unreachable, harness.Sink.Health); // never reached since start: not ready

        for (var i = 0; i < 3; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 100, 100));
        }

        await harness.Spooled.WaitForAsync(300);
        Assert.Equal(300, harness.SpooledMetric);
        Assert.Equal(0, harness.Written);
        Assert.Equal(SinkHealth.Unreachable, harness.Sink.Health);
        Assert.NotEmpty(Directory.GetFiles(harness.SpoolDirectory, "*.spool"));

        await server.StartAgainAsync();
        await harness.WaitForAcknowledgedRowsAsync(300);

        Assert.Equal(300, await server.Client.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs"));
        Assert.Equal(300, await server.Client.CountAsync($"SELECT count() FROM `{_database}`.logs"));
        Assert.Equal(300, harness.Written);
        await harness.Sink.Input.SendAsync(_batches.Events(300, 100));
        await harness.WaitForAcknowledgedRowsAsync(400);
        Assert.Equal(SinkHealth.Healthy, harness.Sink.Health);
        Assert.Equal(0, harness.Sink.SpooledRows);
        Assert.Equal(300, harness.SpooledMetric);
    }

    [ClickHouseFact]
    public async Task AnUnreachableServerIsOneClearLogLine()
    {
        await using var server = PrivateClickHouse.Reserve();
        await using var harness = new SinkHarness(server.Url, _database, o => o.BatchMaxRows = 10);
        await harness.Sink.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 10, 10));
        }

        await harness.Spooled.WaitForAsync(50);

        var loud = harness.Logger.Lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        var line = Assert.Single(loud);
        Assert.Contains(server.Url, line.Message, StringComparison.Ordinal);
        Assert.Contains("spooled to " + harness.SpoolDirectory, line.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task WrongCredentialsSpoolAndSaySo()
    {
        var url = ClickHouseServer.Shared.Url.Replace("http://", "http://pipeline:wrong-password@", StringComparison.Ordinal);
        await using var harness = new SinkHarness(url, _database);
        await harness.Sink.StartAsync(CancellationToken.None);

        await harness.Sink.Input.SendAsync(_batches.Events(0, 10));
        await harness.Sink.Input.SendAsync(_batches.Events(10, 10));
        harness.Sink.Input.Complete();
        await harness.Sink.Completion;

        Assert.Equal(20, harness.SpooledMetric);
        Assert.Equal(0, harness.Written);
        Assert.Contains(harness.Logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("Wrong password", StringComparison.Ordinal));
    }

    [ClickHouseFact]
    public async Task RightCredentialsWrite()
    {
        var url = ClickHouseServer.Shared.Url.Replace("http://", "http://pipeline:pipeline-secret@", StringComparison.Ordinal);
        await using var harness = new SinkHarness(url, _database);
        await harness.Sink.StartAsync(CancellationToken.None);

        await harness.Sink.Input.SendAsync(_batches.Events(0, 10));
        await harness.CompleteAsync();

        Assert.Equal(10, harness.Written);
    }

    [ClickHouseFact]
    public async Task ASpoolLeftByAPreviousRunIsReplayedOnStart()
    {
        var spool = Path.Combine(Path.GetTempPath(), "pipeline-spool-tests", Guid.NewGuid().ToString("N"));
        await using (var down = PrivateClickHouse.Reserve())
        {
            await using var first = new SinkHarness(down.Url, _database, o => o.BatchMaxRows = 250, spoolDirectory: spool) { KeepSpool = true };
            for (var i = 0; i < 10; i++)
            {
                await first.Sink.Input.SendAsync(_batches.Events(i * 100, 100));
            }

            await first.CompleteAsync();
            Assert.Equal(1000, first.SpooledMetric);
        }

        await using var second = new SinkHarness(ClickHouseServer.Shared.Url, _database, spoolDirectory: spool);
        Assert.Equal(SinkHealth.Unreachable, second.Sink.Health); // a spool left behind, ClickHouse not asked yet
        await second.Sink.StartAsync(CancellationToken.None);

        await second.WaitForAcknowledgedRowsAsync(1000);

        Assert.Equal(1000, await ClickHouseServer.Shared.CountAsync($"SELECT count() FROM `{_database}`.logs"));
        Assert.Equal(1000, await ClickHouseServer.Shared.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs"));
        Assert.Equal(4, second.Sink.InsertsWritten);
        await second.Sink.Input.SendAsync(_batches.Events(1000, 1));
        await second.WaitForAcknowledgedRowsAsync(1001);
        Assert.Equal(SinkHealth.Healthy, second.Sink.Health);
    }

    [ClickHouseFact]
    public async Task SpooledInsertsReplayInTheOrderTheyCame()
    {
        // A Log table keeps rows in the order they were inserted (MergeTree would sort them).
        await using var server = await PrivateClickHouse.StartAsync();
        await server.Client.RunAsync($"CREATE DATABASE `{_database}`");
        var ddl = Pipeline.Storage.ClickHouse.Internal.ClickHouseSchema.CreateTable(Pipeline.Storage.ClickHouse.Internal.SchemaLayout.Legacy, _database, "logs", 0);
        await server.Client.RunAsync(ddl[..ddl.IndexOf("ENGINE", StringComparison.Ordinal)] + "ENGINE = Log");
        await server.KillAsync();
        await using var harness = new SinkHarness(server.Url, _database, o => o.BatchMaxRows = 50);
        for (var i = 0; i < 20; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 50, 50));
        }

        await harness.Spooled.WaitForAsync(1000);
        await server.StartAgainAsync();
        await harness.WaitForAcknowledgedRowsAsync(1000);

        var rows = await server.Client.RowsAsync($"SELECT visitParamExtractUInt(attrs, 'seq') FROM `{_database}`.logs SETTINGS max_threads = 1");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
    }

    [ClickHouseFact]
    public async Task AFullSpoolDiscardsCountsAndFails()
    {
        await using var server = PrivateClickHouse.Reserve();
        await using var harness = new SinkHarness(server.Url, _database, o =>
        {
            o.BatchMaxRows = 100;
            o.Compression = Pipeline.Storage.ClickHouse.ClickHouseCompression.None;
            o.Spool.SegmentBytes = 64 * 1024;
            o.Spool.MaxBytes = 64 * 1024;
        });
        for (var i = 0; i < 20; i++)
        {
            await harness.Sink.Input.SendAsync(_batches.Events(i * 100, 100));
        }

        harness.Sink.Input.Complete();
        await harness.Sink.Completion;

        Assert.True(harness.Discarded("spool_full") > 0);
        Assert.Equal(2000, harness.Discarded("spool_full") + harness.SpooledMetric);
        Assert.Equal(SinkHealth.Failed, harness.Sink.Health);
        Assert.Contains(harness.Logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("is full", StringComparison.Ordinal)
            && l.Message.Contains("Spool:MaxBytes", StringComparison.Ordinal));
    }
}
