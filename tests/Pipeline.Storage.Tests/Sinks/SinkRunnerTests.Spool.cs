using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Tests.Infrastructure;

namespace Pipeline.Storage.Tests.Sinks;

public sealed partial class SinkRunnerTests
{
    [Fact]
    public async Task BatchFailingEveryAttemptGoesToTheSpoolAndLaterBatchesFollowIt()
    {
        var runner = await SpoolThreeBatchesAsync();

        Assert.Equal(3 * BatchEvents, await SinkMetricAsync("pipeline_sink_spooled_events_total"));
        Assert.Equal(3 * BatchEvents, runner.SpooledEvents);
        Assert.Equal(3 * BatchEvents, await SinkMetricAsync("pipeline_sink_spool_pending_events")); // what pipeline top shows
        Assert.True(await SinkMetricAsync("pipeline_sink_spool_bytes") > 0);
        Assert.Equal(0, await SinkMetricAsync("pipeline_sink_written_events_total") ?? 0);
        Assert.Equal(SinkHealth.Spooling, runner.Health);

        // Only the first batch reached the sink (its attempts and the replay's probe); the later ones went straight to the spool.
        Assert.All(_sink.Received, seqs => Assert.Equal(Batch(0), seqs));
        Assert.Single(_log.AtLeast(LogLevel.Error), l => l.Contains("spooling to " + SpoolDirectory, StringComparison.Ordinal));
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task SpoolIsReplayedInOrderOnceTheSinkSucceedsAndHealthTurnsHealthyAgain()
    {
        var runner = await SpoolThreeBatchesAsync();

        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay); // the replay's next probe
        await _log.WaitForAsync("answers again");

        Assert.Equal(SinkHealth.Healthy, runner.Health);
        Assert.Equal([Batch(0), Batch(1), Batch(2)], _sink.Accepted);
        Assert.Equal(0, runner.SpooledEvents);
        Assert.Equal(0, await SinkMetricAsync("pipeline_sink_spool_pending_events")); // replayed: nothing waits
        Assert.Equal(3 * BatchEvents, await SinkMetricAsync("pipeline_sink_written_events_total"));

        // Direct again.
        await SendAsync(runner, 3);
        await _acknowledged.WaitForAsync(4 * BatchEvents);
        Assert.Equal(3 * BatchEvents, await SinkMetricAsync("pipeline_sink_spooled_events_total"));
        await CompleteAsync(runner);

        Assert.Equal(Seqs(0, 4), _sink.AcceptedSeqs);
        Assert.Equal(new SinkSummary(4 * BatchEvents, 0, 0, SpoolDirectory), runner.Summary);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("(30 events in 3 batches)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthIsUnreachableWhileSpoolingWhenTheDestinationNeverAnsweredSinceStart()
    {
        _sink.HealthError = new HttpRequestException("Connection refused (db:8123)");
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);
        Assert.Equal(SinkHealth.Unreachable, runner.Health);

        await SendAsync(runner, 0);
        await _spooled.WaitForAsync(BatchEvents);
        Assert.Equal(SinkHealth.Unreachable, runner.Health);

        await ReplayProbeFailedAsync(RetryDelay);
        _time.Fake.Advance(RetryDelay);
        await ReplayProbeFailedAsync(RetryDelay * 2);
        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay * 2);
        await _log.WaitForAsync("answers again");
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        await CompleteAsync(runner);
        Assert.Equal([Batch(0)], _sink.Accepted);
    }

    [Fact]
    public async Task HealthIsSpoolingNotUnreachableWhenTheDestinationAnsweredBeforeTheOutage()
    {
        _sink.Enqueue(SinkStep.Succeed);
        _sink.HealthError = new HttpRequestException("Connection refused (db:8123)");
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await _acknowledged.WaitForAsync(BatchEvents);
        await SendAsync(runner, 1);
        await _spooled.WaitForAsync(BatchEvents);

        Assert.Equal(SinkHealth.Spooling, runner.Health);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task ReplayProbesBackOffUpToRetryMaxDelayAndStartOverAfterASuccess()
    {
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);
        await SendAsync(runner, 0);
        await SendAsync(runner, 1);
        await _spooled.WaitForAsync(2 * BatchEvents);

        foreach (var ms in new[] { 200, 400, 800, 1000 })
        {
            await PassNextDelayAsync(TimeSpan.FromMilliseconds(ms));
        }

        // The first record goes through; the second fails once more and waits the first delay again.
        await ReplayProbeFailedAsync(TimeSpan.FromMilliseconds(1000));
        _sink.Enqueue(SinkStep.Succeed);
        _time.Fake.Advance(TimeSpan.FromMilliseconds(1000));
        await ReplayProbeFailedAsync(RetryDelay);
        Assert.Equal(6, await SinkMetricAsync("pipeline_sink_retries_total")); // every failed probe
        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay);
        await _log.WaitForAsync("answers again");
        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(1)], _sink.Accepted);
    }

    [Fact]
    public async Task SpoolLeftByAPreviousRunnerIsReplayedBeforeNewBatches()
    {
        _sink.Default = SinkStep.Fail();
        var first = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await first.StartAsync(CancellationToken.None);
        await SendAsync(first, 0);
        await SendAsync(first, 1);
        await _spooled.WaitForAsync(2 * BatchEvents);
        await CompleteAsync(first);
        Assert.Equal(new SinkSummary(0, 2 * BatchEvents, 0, SpoolDirectory), first.Summary);
        Assert.Empty(_sink.Accepted);

        var next = new ScriptedSink(_sink.Name);
        var second = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true), sink: next, metrics: new PipelineMetrics());
        await second.StartAsync(CancellationToken.None);
        await SendAsync(second, 2);
        await next.AcceptedEvents.WaitForAsync(3 * BatchEvents);
        await CompleteAsync(second);

        Assert.Equal([Batch(0), Batch(1), Batch(2)], next.Accepted);
        Assert.Equal(new SinkSummary(3 * BatchEvents, 0, 0, SpoolDirectory), second.Summary);
    }

    [Fact]
    public async Task FullSpoolDiscardsAsSpoolFullWithOneLogLineAndHealthIsFailed()
    {
        // A record is a 20-byte header and 4 bytes per event: one batch of 10 fits in 100 bytes, two do not.
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true, spoolMaxBytes: 100));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await _spooled.WaitForAsync(BatchEvents);
        await SendAsync(runner, 1);
        await _log.WaitForAsync("spool_full");
        await SendAsync(runner, 2);

        Assert.Equal(SinkHealth.Failed, runner.Health);
        await CompleteAsync(runner);
        Assert.Equal(2 * BatchEvents, await DiscardedAsync("spool_full"));
        Assert.Equal(BatchEvents, await SinkMetricAsync("pipeline_sink_spooled_events_total"));
        Assert.Equal(new SinkSummary(0, BatchEvents, 2 * BatchEvents, SpoolDirectory), runner.Summary);
        var full = Assert.Single(_log.AtLeast(LogLevel.Error), l => l.Contains("spool_full", StringComparison.Ordinal));
        Assert.Contains("Pipeline:Sinks:Scripted:Spool:MaxBytes", full, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullSpoolTurnsHealthyAgainOnceTheReplayDrainedIt()
    {
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true, spoolMaxBytes: 100));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await _spooled.WaitForAsync(BatchEvents);
        await SendAsync(runner, 1);
        await _log.WaitForAsync("spool_full");
        Assert.Equal(SinkHealth.Failed, runner.Health);

        await ReplayProbeFailedAsync(RetryDelay);
        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay);
        await _log.WaitForAsync("answers again");
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        await CompleteAsync(runner);
        Assert.Equal([Batch(0)], _sink.Accepted);
        Assert.Equal(new SinkSummary(BatchEvents, 0, BatchEvents, SpoolDirectory), runner.Summary);
    }

    [Fact]
    public async Task PartialProgressSpoolsOnlyTheUnacknowledgedTail()
    {
        _sink.Enqueue(SinkStep.Partial(4));
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await _spooled.WaitForAsync(6);
        Assert.Equal(6, _spooled.Total);
        Assert.Equal(6, runner.SpooledEvents);
        Assert.Equal(4, await SinkMetricAsync("pipeline_sink_written_events_total"));

        await ReplayProbeFailedAsync(RetryDelay);
        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay);
        await _log.WaitForAsync("answers again");
        await CompleteAsync(runner);

        Assert.Equal([Batch(0, from: 4)], _sink.Accepted);
        Assert.All(_sink.Received.Skip(1), seqs => Assert.Equal(Batch(0, from: 4), seqs));
        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, SpoolDirectory), runner.Summary);
    }

    [Fact]
    public async Task PartialProgressDuringReplayIsNotSentAgain()
    {
        // The direct attempt fails, the replay's first probe gets 3 events through, the second the rest.
        _sink.Enqueue(SinkStep.Fail(), SinkStep.Partial(3));
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await PassNextDelayAsync(RetryDelay);
        await _log.WaitForAsync("answers again");
        await CompleteAsync(runner);

        Assert.Equal([Batch(0), Batch(0), Batch(0, from: 3)], _sink.Received);
        Assert.Equal(BatchEvents, await SinkMetricAsync("pipeline_sink_written_events_total"));
        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, SpoolDirectory), runner.Summary);
    }

    [Fact]
    public async Task SetupErrorDuringReplayTurnsHealthFailedAndKeepsTheDataSpooledUntilFixed()
    {
        _sink.Enqueue(SinkStep.Fail());
        _sink.Default = SinkStep.Setup("column robot_id is missing from table logs");
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await ReplayProbeFailedAsync(RetryDelay);
        Assert.Equal(SinkHealth.Failed, runner.Health);
        Assert.Equal(BatchEvents, runner.SpooledEvents);

        await SendAsync(runner, 1);
        await _spooled.WaitForAsync(2 * BatchEvents);
        Assert.Equal(SinkHealth.Failed, runner.Health);

        _time.Fake.Advance(RetryDelay);
        await ReplayProbeFailedAsync(RetryDelay * 2);
        Assert.Equal(SinkHealth.Failed, runner.Health);
        Assert.Equal(2 * BatchEvents, runner.SpooledEvents);
        Assert.Single(_log.AtLeast(LogLevel.Error), l => l.Contains("column robot_id is missing", StringComparison.Ordinal));

        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay * 2);
        await _log.WaitForAsync("answers again");
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        Assert.Equal(0, runner.SpooledEvents);
        await CompleteAsync(runner);
        Assert.Equal([Batch(0), Batch(1)], _sink.Accepted);
    }

    [Fact]
    public async Task RejectionDuringReplayDropsTheRecordAndTheReplayGoesOn()
    {
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);
        await SendAsync(runner, 0);
        await SendAsync(runner, 1);
        await _spooled.WaitForAsync(2 * BatchEvents);
        await ReplayProbeFailedAsync(RetryDelay);

        _sink.Enqueue(SinkStep.Reject("rejected"));
        _sink.Default = SinkStep.Succeed;
        _time.Fake.Advance(RetryDelay);
        await _log.WaitForAsync("answers again");
        await CompleteAsync(runner);

        Assert.Equal([Batch(1)], _sink.Accepted);
        Assert.Equal(BatchEvents, await DiscardedAsync("rejected"));
        Assert.Equal(new SinkSummary(BatchEvents, 0, BatchEvents, SpoolDirectory), runner.Summary);
    }

    /// <summary>
    /// The sink fails: the first batch is spooled after its two attempts, the next two follow it;
    /// the replay's first probe failed and waits <see cref="RetryDelay"/> for the next.
    /// </summary>
    private async Task<SinkRunner> SpoolThreeBatchesAsync()
    {
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 2, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await PassNextDelayAsync(RetryDelay); // the second attempt
        await _spooled.WaitForAsync(BatchEvents);
        Assert.Equal(SinkHealth.Spooling, runner.Health);

        await SendAsync(runner, 1);
        await SendAsync(runner, 2);
        await _spooled.WaitForAsync(3 * BatchEvents);
        await ReplayProbeFailedAsync(RetryDelay);
        return runner;
    }

    /// <summary>
    /// The replay's probe failed and it waits for the next one, this long; the sink's behaviour can
    /// change now without racing a probe. The test then moves the clock.
    /// </summary>
    private async Task ReplayProbeFailedAsync(TimeSpan delay) => Assert.Equal(delay, await _time.NextTimerAsync());
}
