using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.ClickHouse;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A <see cref="ClickHouseSink"/> on its own (no graph), writing to a database of the test's own, with a temp spool directory.</summary>
internal sealed class SinkHarness : IAsyncDisposable
{
    private readonly List<(long Rows, TaskCompletionSource Done)> _waiters = [];
    private readonly object _gate = new();
    private long _rows;

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
        Sink.InsertAcknowledged += OnAcknowledged;
    }

    public string Database { get; }

    public string SpoolDirectory { get; }

    public ClickHouseSinkOptions Options { get; }

    public PipelineMetrics Metrics { get; }

    public ClickHouseSink Sink { get; }

    public CollectingLogger Logger { get; } = new();

    public long AcknowledgedRows => Interlocked.Read(ref _rows);

    public double Written => Metrics.SinkWritten.WithLabels("clickhouse").Value;

    public double Spooled => Metrics.SinkSpooled.WithLabels("clickhouse").Value;

    public double Discarded(string reason) => Metrics.ComponentDiscarded.WithLabels("clickhouse", reason).Value;

    public static FakeTimeProvider FakeTime() => new(new DateTimeOffset(2025, 6, 15, 16, 0, 0, TimeSpan.Zero));

    /// <summary>Completes once ClickHouse acknowledged at least <paramref name="rows"/> rows in all.</summary>
    public Task WaitForAcknowledgedRowsAsync(long rows)
    {
        lock (_gate)
        {
            if (_rows >= rows)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((rows, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public async Task CompleteAsync()
    {
        Sink.Input.Complete();
        await Sink.Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        Sink.Input.Complete();
        await Sink.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void OnAcknowledged(int rows)
    {
        lock (_gate)
        {
            _rows += rows;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_rows >= _waiters[i].Rows)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
