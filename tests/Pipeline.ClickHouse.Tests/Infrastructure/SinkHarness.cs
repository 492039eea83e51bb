using Pipeline.Tests.Shared.Counting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.ClickHouse;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A <see cref="ClickHouseSink"/> on its own (no graph), writing to a database of the test's own, with a temp spool directory.</summary>
internal sealed class SinkHarness : IAsyncDisposable
{
    public SinkHarness(string url, string database, Action<ClickHouseSinkOptions>? configure = null, TimeProvider? time = null, string? spoolDirectory = null)
    {
        Database = database;
        SpoolDirectory = spoolDirectory ?? Path.Combine(Path.GetTempPath(), "pipeline-spool-tests", Guid.NewGuid().ToString("N"));
        Options = new ClickHouseSinkOptions
        {
            ConnectionString = url,
            Database = database,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(Options);
        Metrics = new PipelineMetrics();
        Sink = new ClickHouseSink(Options, SpoolDirectory, Metrics, time ?? TimeProvider.System, Logger);
        Sink.InsertAcknowledged += rows => Acknowledged.Add(rows);
        Sink.InsertSpooled += rows => Spooled.Add(rows);
    }

    /// <summary>Rows ClickHouse acknowledged, as they happen.</summary>
    public RunningTotal Acknowledged { get; } = new();

    /// <summary>Rows that went to the spool, as they happen.</summary>
    public RunningTotal Spooled { get; } = new();

    public string Database { get; }

    public string SpoolDirectory { get; }

    public ClickHouseSinkOptions Options { get; }

    public PipelineMetrics Metrics { get; }

    public ClickHouseSink Sink { get; }

    public CollectingLogger Logger { get; } = new();

    /// <summary>Leave the spool directory on dispose (for a second sink that starts from it).</summary>
    public bool KeepSpool { get; set; }

    public double Written => Metrics.SinkWritten.WithLabels("clickhouse").Value;

    public double SpooledMetric => Metrics.SinkSpooled.WithLabels("clickhouse").Value;

    public double Discarded(string reason) => Metrics.ComponentDiscarded.WithLabels("clickhouse", reason).Value;

    public static FakeTimeProvider FakeTime() => new(new DateTimeOffset(2025, 6, 15, 16, 0, 0, TimeSpan.Zero));

    public Task WaitForAcknowledgedRowsAsync(long rows) => Acknowledged.WaitForAsync(rows);

    public async Task CompleteAsync()
    {
        Sink.Input.Complete();
        await Sink.Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        Sink.Input.Complete();
        await Sink.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        if (KeepSpool)
        {
            return;
        }

        try
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
