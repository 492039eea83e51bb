using Pipeline.Tests.Shared.Counting;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Spool;
using Pipeline.Storage.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Storage.Tests.Sinks;

/// <summary>
/// The shared runner on its own, against a scripted in-memory sink and an encoder that writes each
/// event's seq, so every payload (retried, partly acknowledged, replayed from the spool) can be read
/// back. Split by concern: backpressure and order here; accumulating, retries, spool, lifecycle in partials.
/// </summary>
public sealed partial class SinkRunnerTests : IDisposable
{
    private const int BatchEvents = 10;
    private static readonly DateTimeOffset Start = new(2025, 6, 15, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly TempDirectory _dir = new();
    private readonly TestBatches _batches = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly HookedTimeProvider _time = new(Start);
    private readonly CollectingLogger _log = new();
    private readonly ScriptedSink _sink = new();
    private readonly RunningTotal _acknowledged = new();
    private readonly RunningTotal _spooled = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(1, 4, 0)]
    [InlineData(3, 1, 0)]
    [InlineData(3, 2, 0)]
    [InlineData(3, 4, 0)]
    [InlineData(2, 2, 2)]
    [InlineData(8, 4, 1)]
    public async Task EachBatchSendAsyncWaitsWhenTheInputAndTheWriteQueueAreFull(int capacity, int parallelism, int writeQueue)
    {
        var blocked = SinkStep.Block();
        _sink.Enqueue(blocked);
        var runner = NewRunner(Options(capacity, SinkEncodeMode.EachBatch, parallelism, writeQueue));

        await SendAsync(runner, 0);
        await blocked.Entered;

        // Besides the batch in the sink: the write queue and the input. Once all of them were
        // accepted every stage is full, and nothing moves while the sink holds the first batch.
        var accepted = new List<Task<bool>>();
        for (var b = 1; b <= writeQueue + capacity; b++)
        {
            accepted.Add(runner.Input.SendAsync(_batches.Events(b * BatchEvents, BatchEvents)));
        }

        Assert.All(await Task.WhenAll(accepted).WaitAsync(StepGate.Timeout), Assert.True);
        var waiting = runner.Input.SendAsync(_batches.Events((writeQueue + capacity + 1) * BatchEvents, BatchEvents));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, _sink.Calls.Total);

        blocked.Release();
        Assert.True(await waiting.WaitAsync(StepGate.Timeout));
        await CompleteAsync(runner);
        Assert.Equal(Seqs(0, writeQueue + capacity + 2), _sink.AcceptedSeqs);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(2, 2)]
    public async Task AccumulateSendAsyncWaitsWhenTheInputAndTheWriteQueueAreFull(int capacity, int writeQueue)
    {
        var blocked = SinkStep.Block();
        _sink.Enqueue(blocked);
        var runner = NewRunner(Options(capacity, writeQueue: writeQueue, batchMaxEvents: BatchEvents));

        await SendAsync(runner, 0);
        await blocked.Entered;

        // Besides the batch in the sink: the write queue, the sealed batch the accumulator holds
        // while it waits to hand it over, and the input.
        var accepted = new List<Task<bool>>();
        for (var b = 1; b <= writeQueue + 1 + capacity; b++)
        {
            accepted.Add(runner.Input.SendAsync(_batches.Events(b * BatchEvents, BatchEvents)));
        }

        Assert.All(await Task.WhenAll(accepted).WaitAsync(StepGate.Timeout), Assert.True);
        var waiting = runner.Input.SendAsync(_batches.Events((writeQueue + capacity + 2) * BatchEvents, BatchEvents));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, _sink.Calls.Total);

        blocked.Release();
        Assert.True(await waiting.WaitAsync(StepGate.Timeout));
        await CompleteAsync(runner);
        Assert.Equal(Seqs(0, writeQueue + capacity + 3), _sink.AcceptedSeqs);
    }

    [Fact]
    public async Task EachBatchWithParallelismFourKeepsBatchOrderAtTheSink()
    {
        // The first batch is encoded only after the fourth was sealed, so the encoders do finish
        // out of order; the sink must still see batch order.
        using var fourthSealed = new ManualResetEventSlim();
        var sealOrder = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var runner = NewRunner(
            Options(8, SinkEncodeMode.EachBatch, parallelism: 4),
            () => new SeqEncoder
            {
                OnAppend = first =>
                {
                    if (first == 0)
                    {
                        Assert.True(fourthSealed.Wait(StepGate.Timeout), "the fourth batch was never sealed while the first waited");
                    }
                },
                OnSealed = first =>
                {
                    sealOrder.Enqueue(first / BatchEvents);
                    if (first == 3 * BatchEvents)
                    {
                        fourthSealed.Set();
                    }
                },
            });

        for (var b = 0; b < 20; b++)
        {
            await SendAsync(runner, b);
        }

        await CompleteAsync(runner);
        var sealedOrder = sealOrder.ToList();
        Assert.True(sealedOrder.IndexOf(3) < sealedOrder.IndexOf(0), $"sealed in order {string.Join(",", sealedOrder)}");
        Assert.Equal(Seqs(0, 20), _sink.AcceptedSeqs);
        Assert.Equal(20, _sink.Accepted.Count);
        Assert.Equal(0, await DiscardedAsync("encode_failed") ?? 0);
    }

    [Fact]
    public void ParallelEncodingNeedsEachBatchMode()
    {
        var error = Assert.Throws<ArgumentException>(() => NewRunner(Options(parallelism: 2)));
        Assert.Contains("EachBatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASpoolNeedsASpoolDirectory()
    {
        var options = new SinkRunnerOptions { Spool = new DiskSpoolOptions() };
        var error = Assert.Throws<ArgumentException>(() => NewRunner(options));
        Assert.Contains("SpoolDirectory", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Defaults of these tests: no jitter (exact delays), one attempt, no spool, a delay that never passes unless a test moves the clock.</summary>
    private SinkRunnerOptions Options(
        int capacity = 4,
        SinkEncodeMode mode = SinkEncodeMode.Accumulate,
        int parallelism = 1,
        int writeQueue = 0,
        int attempts = 1,
        int batchMaxEvents = 10_000,
        long batchMaxBytes = long.MaxValue,
        TimeSpan? batchMaxDelay = null,
        bool spool = false,
        long spoolMaxBytes = 1024 * 1024,
        string failedReason = "write_failed") => new()
    {
        BoundedCapacity = capacity,
        EncodeMode = mode,
        EncodeParallelism = parallelism,
        WriteQueue = writeQueue,
        Attempts = attempts,
        BatchMaxEvents = batchMaxEvents,
        BatchMaxBytes = batchMaxBytes,
        BatchMaxDelay = batchMaxDelay ?? TimeSpan.FromHours(1),
        RetryDelay = RetryDelay,
        RetryMaxDelay = TimeSpan.FromSeconds(1),
        Jitter = false,
        Spool = spool ? new DiskSpoolOptions { Fsync = false, MaxBytes = spoolMaxBytes, SegmentBytes = 64 * 1024 } : null,
        SpoolDirectory = spool ? SpoolDirectory : null,
        FailedReason = failedReason,
        KeyPrefix = "Pipeline:Sinks:Scripted",
    };

    private string SpoolDirectory => _dir.Combine("spool", "scripted");

    private SinkRunner NewRunner(SinkRunnerOptions options, Func<IBatchEncoder>? encoder = null, ScriptedSink? sink = null, PipelineMetrics? metrics = null)
    {
        var runner = new SinkRunner(sink ?? _sink, encoder ?? (() => new SeqEncoder()), options, metrics ?? _metrics, _time, _log);
        runner.Acknowledged += n => _acknowledged.Add(n);
        runner.Spooled += n => _spooled.Add(n);
        return runner;
    }

    /// <summary>Sends batch number <paramref name="batch"/> (seqs batch*10 … batch*10+9); it must be accepted.</summary>
    private async Task SendAsync(SinkRunner runner, int batch, int events = BatchEvents) =>
        Assert.True(await runner.Input.SendAsync(_batches.Events(batch * BatchEvents, events)).WaitAsync(StepGate.Timeout));

    private static async Task CompleteAsync(SinkRunner runner)
    {
        runner.Input.Complete();
        await runner.Completion.WaitAsync(StepGate.Timeout);
    }

    /// <summary>Waits for the runner's next timer (a retry or replay delay), checks its due time and lets it pass.</summary>
    private async Task PassNextDelayAsync(TimeSpan expected)
    {
        Assert.Equal(expected, await _time.NextTimerAsync());
        _time.Fake.Advance(expected);
    }

    private static List<int> Seqs(int firstBatch, int batches) => [.. Enumerable.Range(firstBatch * BatchEvents, batches * BatchEvents)];

    private static int[] Batch(int batch, int from = 0) => [.. Enumerable.Range((batch * BatchEvents) + from, BatchEvents - from)];

    private Task<double?> MetricAsync(string name, params (string Name, string Value)[] labels) => MetricsText.ValueAsync(_metrics, name, labels);

    private Task<double?> SinkMetricAsync(string name) => MetricAsync(name, ("sink", _sink.Name));

    private Task<double?> DiscardedAsync(string reason) =>
        MetricAsync("pipeline_component_discarded_events_total", ("component", _sink.Name), ("reason", reason));

    private void AssertEveryEventBatchReleased()
    {
        Assert.True(_batches.Pool.Created > 0);
        Assert.Equal(_batches.Pool.Created, _batches.Pool.Retained);
    }
}
