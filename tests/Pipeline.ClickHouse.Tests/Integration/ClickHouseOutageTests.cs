using Pipeline.Tests.Shared.Counting;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse;
using Pipeline.Tests.Shared;

namespace Pipeline.ClickHouse.Tests.Integration;

/// <summary>The whole service while ClickHouse goes away and comes back.</summary>
public sealed class ClickHouseOutageTests
{
    private const int RowsPerInsert = 2000;
    private readonly string _database = ClickHouseServer.NewDatabase();

    /// <summary>
    /// Kills the server (SIGKILL) while events flow and restarts it: every event arrives. An INSERT
    /// that was in flight at the kill may have been committed without its answer arriving; it is
    /// spooled and sent again, so duplicates are at most one INSERT's rows.
    /// </summary>
    [ClickHouseFact]
    public async Task EveryEventArrivesWhenTheServerIsKilledAndRestartedWhileEventsFlow()
    {
        const int phase = 20_000;
        await using var server = await PrivateClickHouse.StartAsync();
        await using var pipeline = await StartPipelineAsync(server.Url);
        var sink = pipeline.Services.GetRequiredService<ClickHouseSink>();
        var acknowledged = new RunningTotal();
        var spooled = new RunningTotal();
        var largestInsert = 0L;
        sink.InsertAcknowledged += rows =>
        {
            acknowledged.Add(rows);
            InterlockedMax(ref largestInsert, rows);
        };
        sink.InsertSpooled += rows => spooled.Add(rows);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var robot = Task.Run(async () =>
        {
            using var client = await pipeline.ConnectTcpAsync();
            var stream = client.GetStream();
            await stream.WriteAsync(Lines(0, phase));
            await killed.Task;
            await stream.WriteAsync(Lines(phase, phase));
            await restarted.Task;
            await stream.WriteAsync(Lines(2 * phase, phase));
            client.Client.Shutdown(SocketShutdown.Send);
            var rest = new byte[256];
            while (await stream.ReadAsync(rest) > 0)
            {
            }
        });

        await acknowledged.WaitForAsync(2 * RowsPerInsert);
        await server.KillAsync();
        killed.SetResult();
        await spooled.WaitForAsync(phase / 2);
        Assert.Equal(SinkHealth.Spooling, sink.Health);
        Assert.Contains("\"clickhouse\":\"spooling\"", await Readyz(pipeline), StringComparison.Ordinal);
        await server.StartAgainAsync();
        restarted.SetResult();
        await robot.WaitAsync(TimeSpan.FromSeconds(60));
        await acknowledged.WaitForAsync(3 * phase);

        var count = await server.Client.CountAsync($"SELECT count() FROM `{_database}`.logs");
        var distinct = await server.Client.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs");
        Assert.Equal(3 * phase, distinct);
        // At most the INSERT in flight at the kill is written twice. An INSERT is cut at BatchMaxRows
        // but takes whole event batches, so it can hold up to BatchMaxRows + one batch: bound by the largest seen.
        Assert.InRange(count - distinct, 0, Math.Max(RowsPerInsert, Interlocked.Read(ref largestInsert)));
        Assert.Equal(3 * phase, pipeline.Metric("pipeline_sink_written_events_total", "clickhouse"));
        Assert.True(pipeline.Metrics.SinkSpooled.WithLabels("clickhouse").Value >= phase / 2);
        Assert.Equal(SinkHealth.Healthy, sink.Health);
    }

    [ClickHouseFact]
    public async Task EventsSentWhileClickHouseIsDownAreInTheSpoolAfterAStopAndArriveAfterTheNextStart()
    {
        await using var server = PrivateClickHouse.Reserve();
        var dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await StartPipelineAsync(server.Url, dataDir))
            {
                await first.SendTcpAsync(Lines(0, 5000));
                // Down since start (never reached): spooled, and not ready.
                Assert.Contains("\"clickhouse\":\"unreachable\"", await Readyz(first, ready: false), StringComparison.Ordinal);
                await first.StopAsync();
                Assert.Equal(5000, first.Metrics.SinkSpooled.WithLabels("clickhouse").Value);
                Assert.Equal(0, first.Metric("pipeline_sink_written_events_total", "clickhouse"));
            }

            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dataDir, "spool", "clickhouse"), "*.spool"));
            await server.StartAgainAsync();
            await using var second = await StartPipelineAsync(server.Url, dataDir);
            var sink = second.Services.GetRequiredService<ClickHouseSink>();
            var acknowledged = new RunningTotal();
            var largestInsert = 0L;
        sink.InsertAcknowledged += rows =>
        {
            acknowledged.Add(rows);
            InterlockedMax(ref largestInsert, rows);
        };
            acknowledged.Add((long)second.Metric("pipeline_sink_written_events_total", "clickhouse"));

            await acknowledged.WaitForAsync(5000);

            Assert.Equal(5000, await server.Client.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs"));
            Assert.Equal(5000, await server.Client.CountAsync($"SELECT count() FROM `{_database}`.logs"));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [ClickHouseFact]
    public async Task TheDrainLineSaysWhatEachSinkWroteAndWhatIsLeftInTheSpool()
    {
        await using var server = PrivateClickHouse.Reserve();
        var logs = new CollectingLoggerProvider();
        var settings = Settings(server.Url, dataDir: null);
        settings["Sinks:Files:Enabled"] = "true";
        await using var pipeline = await TestPipeline.StartAsync(settings, services => services.AddLogging(b => b
            .AddProvider(logs)
            .AddFilter<CollectingLoggerProvider>("Pipeline", LogLevel.Information)));

        await pipeline.SendTcpAsync(Lines(0, 3000));
        await pipeline.StopAsync();

        var drained = Assert.Single(logs.Logger.Lines, l => l.Message.StartsWith("Graph drained", StringComparison.Ordinal)).Message;
        var spool = Path.Combine(pipeline.DataDir, "spool", "clickhouse");
        Assert.Equal($"Graph drained; files: 3000 events written; clickhouse: 0 events written, 3000 left in its spool ({spool}) for the next start.", drained);
        Assert.Contains(logs.Logger.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Sink clickhouse stopped: 0 events written, 3000 events left in the spool", StringComparison.Ordinal));
    }

    private async Task<TestPipeline> StartPipelineAsync(string url, string? dataDir = null) => await TestPipeline.StartAsync(Settings(url, dataDir));

    private Dictionary<string, string> Settings(string url, string? dataDir)
    {
        var settings = new Dictionary<string, string>
        {
            ["Sinks:ClickHouse:ConnectionString"] = url,
            ["Sinks:ClickHouse:Database"] = _database,
            ["Sinks:ClickHouse:BatchMaxRows"] = RowsPerInsert.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sinks:ClickHouse:BatchMaxDelay"] = "00:00:00.100",
            ["Sinks:ClickHouse:InsertAttempts"] = "2",
            ["Sinks:ClickHouse:RetryDelay"] = "00:00:00.020",
            ["Sinks:ClickHouse:RetryMaxDelay"] = "00:00:00.200",
            ["Sinks:Files:Enabled"] = "false",
        };
        if (dataDir is not null)
        {
            settings["Sinks:ClickHouse:Spool:Directory"] = Path.Combine(dataDir, "spool", "clickhouse");
        }

        return settings;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static async Task<string> Readyz(TestPipeline pipeline, bool ready = true)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(pipeline.HttpUri, "/readyz"));
        Assert.True(response.IsSuccessStatusCode == ready, ready ? "spooling after an outage is still ready" : "never reached since start is not ready");
        return await response.Content.ReadAsStringAsync();
    }

    private static byte[] Lines(int first, int count)
    {
        var text = new StringBuilder(count * 100);
        for (var seq = first; seq < first + count; seq++)
        {
            text.Append("{\"ts\":").Append(1_750_000_000_000L + seq).Append(",\"robot_id\":\"r").Append(seq % 11)
                .Append("\",\"level\":\"INFO\",\"msg\":\"tick ").Append(seq).Append("\",\"seq\":").Append(seq).Append("}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
