using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Tests.Infrastructure;

namespace Pipeline.Storage.Tests.Sinks;

public sealed partial class SinkRunnerTests
{
    [Fact]
    public async Task TransientFailureIsRetriedAfterRetryDelayAndCountedInRetriesTotal()
    {
        _sink.Enqueue(SinkStep.Fail());
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 3));

        await SendAsync(runner, 0);
        await _sink.Calls.WaitForAsync(1);
        await PassNextDelayAsync(RetryDelay);
        await _acknowledged.WaitForAsync(BatchEvents);

        Assert.Equal([Batch(0), Batch(0)], _sink.Received);
        Assert.Equal(1, await SinkMetricAsync("pipeline_sink_retries_total"));
        Assert.Equal(1, await MetricAsync("pipeline_component_errors_total", ("component", _sink.Name), ("stage", "write")));
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task SinkTimeoutIsRetriedLikeAnyOtherFailure()
    {
        // An HttpClient timeout surfaces as a TaskCanceledException although nobody cancelled the runner.
        _sink.Enqueue(SinkStep.Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 30 seconds elapsing.")));
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 2));

        await SendAsync(runner, 0);
        await PassNextDelayAsync(RetryDelay);
        await CompleteAsync(runner);

        Assert.Equal([Batch(0)], _sink.Accepted);
        Assert.Equal(1, await SinkMetricAsync("pipeline_sink_retries_total"));
        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, null), runner.Summary);
    }

    [Fact]
    public async Task BatchWrittenAfterARetryIsCountedWrittenOnce()
    {
        _sink.Enqueue(SinkStep.Fail(), SinkStep.Fail());
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 3));

        await SendAsync(runner, 0);
        await PassNextDelayAsync(RetryDelay);
        await PassNextDelayAsync(RetryDelay * 2);
        await CompleteAsync(runner);

        Assert.Equal(3, _sink.Received.Count);
        Assert.Equal(BatchEvents, await SinkMetricAsync("pipeline_sink_written_events_total"));
        Assert.Equal(BatchEvents * 4, await SinkMetricAsync("pipeline_sink_written_bytes_total"));
        Assert.Equal(2, await SinkMetricAsync("pipeline_sink_retries_total"));
        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, null), runner.Summary);
        Assert.Equal(1, runner.BatchesWritten);
    }

    [Fact]
    public async Task RetryDelaysDoubleUpToRetryMaxDelay()
    {
        _sink.Default = SinkStep.Fail();
        var runner = new SinkRunner(_sink, () => new SeqEncoder(), new SinkRunnerOptions
        {
            EncodeMode = SinkEncodeMode.EachBatch,
            Attempts = 5,
            RetryDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromMilliseconds(300),
            Jitter = false,
        }, _metrics, _time, _log);

        await SendAsync(runner, 0);
        await PassNextDelayAsync(TimeSpan.FromMilliseconds(100));
        await PassNextDelayAsync(TimeSpan.FromMilliseconds(200));
        await PassNextDelayAsync(TimeSpan.FromMilliseconds(300));
        await PassNextDelayAsync(TimeSpan.FromMilliseconds(300));
        await CompleteAsync(runner);

        Assert.Equal(5, _sink.Received.Count);
        Assert.Equal(4, await SinkMetricAsync("pipeline_sink_retries_total"));
    }

    [Fact]
    public async Task RejectedBatchIsNeitherRetriedNorSpooledAndCountsDiscardedWithItsReason()
    {
        _sink.Enqueue(SinkStep.Reject("unroutable", "no queue bound for level TRACE"));
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 3, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await SendAsync(runner, 1);
        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(1)], _sink.Received);
        Assert.Equal([Batch(1)], _sink.Accepted);
        Assert.Equal(BatchEvents, await DiscardedAsync("unroutable"));
        Assert.Equal(0, await SinkMetricAsync("pipeline_sink_retries_total") ?? 0);
        Assert.Equal(0, await SinkMetricAsync("pipeline_sink_spooled_events_total") ?? 0);
        Assert.Equal(0, _spooled.Total);
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        Assert.Equal(new SinkSummary(BatchEvents, 0, BatchEvents, SpoolDirectory), runner.Summary);
        Assert.Single(_log.AtLeast(LogLevel.Error), l => l.Contains("unroutable", StringComparison.Ordinal) && l.Contains("no queue bound", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutSpoolABatchFailingEveryAttemptIsDiscardedWithFailedReasonAndHealthIsFailed()
    {
        _sink.Default = SinkStep.Fail("disk full");
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 2, failedReason: "rolled_back"));

        await SendAsync(runner, 0);
        await PassNextDelayAsync(RetryDelay);
        await _log.WaitForAsync("is discarded");

        Assert.Equal(2, _sink.Received.Count);
        Assert.Equal(BatchEvents, await DiscardedAsync("rolled_back"));
        Assert.Equal(1, await SinkMetricAsync("pipeline_sink_retries_total"));
        Assert.Equal(SinkHealth.Failed, runner.Health);
        Assert.Contains("disk full", _log.AtLeast(LogLevel.Error).Single(), StringComparison.Ordinal);
        await CompleteAsync(runner);
        Assert.Equal(new SinkSummary(0, 0, BatchEvents, null), runner.Summary);
    }

    /// <summary>
    /// A local destination that fails a write is failing now (a full or broken disk): not ready while the
    /// retries wait, so the operator sees it at once; healthy again with the first write that works.
    /// </summary>
    [Fact]
    public async Task WithoutSpoolHealthIsFailedWhileAFailedAttemptIsRetriedAndHealthyAfterTheRetryWorks()
    {
        _sink.Enqueue(SinkStep.Fail());
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 2));

        await SendAsync(runner, 0);
        Assert.Equal(RetryDelay, await _time.NextTimerAsync()); // the first attempt failed; the retry waits
        Assert.Equal(SinkHealth.Failed, runner.Health);

        _time.Fake.Advance(RetryDelay);
        await CompleteAsync(runner);
        Assert.Equal(SinkHealth.Healthy, runner.Health);
    }

    [Fact]
    public async Task WithoutSpoolHealthIsHealthyAgainAfterALaterSuccess()
    {
        _sink.Enqueue(SinkStep.Fail());
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch));

        await SendAsync(runner, 0);
        await _log.WaitForAsync("is discarded");
        Assert.Equal(SinkHealth.Failed, runner.Health);

        await SendAsync(runner, 1);
        await _acknowledged.WaitForAsync(BatchEvents);
        Assert.Equal(SinkHealth.Healthy, runner.Health);

        await CompleteAsync(runner);
        Assert.Equal([Batch(1)], _sink.Accepted);
        Assert.Equal(new SinkSummary(BatchEvents, 0, BatchEvents, null), runner.Summary);
    }

    [Fact]
    public async Task PartialProgressCountsTheAcknowledgedPartWrittenAndRetriesOnlyTheTail()
    {
        _sink.Enqueue(SinkStep.Partial(4));
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 2));

        await SendAsync(runner, 0);
        await _acknowledged.WaitForAsync(4);
        Assert.Equal(4, await SinkMetricAsync("pipeline_sink_written_events_total"));
        Assert.Equal(16, await SinkMetricAsync("pipeline_sink_written_bytes_total"));

        await PassNextDelayAsync(RetryDelay);
        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(0, from: 4)], _sink.Received);
        Assert.Equal(BatchEvents, await SinkMetricAsync("pipeline_sink_written_events_total"));
        Assert.Equal(BatchEvents * 4, await SinkMetricAsync("pipeline_sink_written_bytes_total"));
        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, null), runner.Summary);
    }

    [Fact]
    public async Task BatchFullyAcknowledgedBeforeAFailureIsNeitherRetriedNorSpooledNorDiscarded()
    {
        _sink.Enqueue(SinkStep.Partial(BatchEvents));
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 3, spool: true));

        await SendAsync(runner, 0);
        await SendAsync(runner, 1);
        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(1)], _sink.Received);
        Assert.Equal(0, await SinkMetricAsync("pipeline_sink_retries_total") ?? 0);
        Assert.Equal(0, _spooled.Total);
        Assert.Equal(2 * BatchEvents, await SinkMetricAsync("pipeline_sink_written_events_total"));
        Assert.Equal(new SinkSummary(2 * BatchEvents, 0, 0, SpoolDirectory), runner.Summary);
    }

    [Theory]
    [InlineData(SinkEncodeMode.EachBatch)]
    [InlineData(SinkEncodeMode.Accumulate)]
    public async Task EncodeFailureDiscardsTheBatchAsEncodeFailedAndTheRunnerKeepsGoing(SinkEncodeMode mode)
    {
        // The poison is the second batch's first event: the encoder throws before it encoded anything of it.
        var runner = NewRunner(Options(mode: mode, batchMaxEvents: BatchEvents), () => new SeqEncoder { PoisonSeq = BatchEvents });

        for (var b = 0; b < 3; b++)
        {
            await SendAsync(runner, b);
        }

        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(2)], _sink.Accepted);
        Assert.Equal(BatchEvents, await DiscardedAsync("encode_failed"));
        Assert.Equal(1, await MetricAsync("pipeline_component_errors_total", ("component", _sink.Name), ("stage", "encode")));
        Assert.Equal(new SinkSummary(2 * BatchEvents, 0, BatchEvents, null), runner.Summary);
        Assert.Contains(_log.AtLeast(LogLevel.Error), l => l.Contains("encode_failed", StringComparison.Ordinal));
        AssertEveryEventBatchReleased();
    }

    [Theory]
    [InlineData(SinkEncodeMode.EachBatch)]
    [InlineData(SinkEncodeMode.Accumulate)]
    public async Task EncoderFailingMidBatchDoesNotCountEventsBothWrittenAndDiscarded(SinkEncodeMode mode)
    {
        // The poison is in the middle of the second batch: its first five events are already pending in the encoder.
        var runner = NewRunner(Options(mode: mode, batchMaxEvents: BatchEvents), () => new SeqEncoder { PoisonSeq = BatchEvents + 5 });

        for (var b = 0; b < 3; b++)
        {
            await SendAsync(runner, b);
        }

        await CompleteAsync(runner);

        var summary = runner.Summary;
        Assert.Equal(3 * BatchEvents, summary.Written + summary.Discarded);
        Assert.Equal(summary.Written, _sink.AcceptedSeqs.Count);
    }
}
