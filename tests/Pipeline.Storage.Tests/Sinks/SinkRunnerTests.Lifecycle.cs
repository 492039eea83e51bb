using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Tests.Infrastructure;

namespace Pipeline.Storage.Tests.Sinks;

public sealed partial class SinkRunnerTests
{
    [Fact]
    public async Task StartAsyncPropagatesASinkSetupException()
    {
        _sink.HealthError = new SinkSetupException("table logs has no column robot_id");
        var runner = NewRunner(Options(spool: true));

        var error = await Assert.ThrowsAsync<SinkSetupException>(() => runner.StartAsync(CancellationToken.None));
        Assert.Equal("table logs has no column robot_id", error.Message);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task StartAsyncSwallowsAnUnreachableDestinationWithOneWarningLine()
    {
        _sink.HealthError = new HttpRequestException("Connection refused (db:8123)\nat some inner frame");
        var runner = NewRunner(Options(spool: true));

        await runner.StartAsync(CancellationToken.None);

        var (level, line) = Assert.Single(_log.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("memory://scripted cannot be used (Connection refused (db:8123))", line, StringComparison.Ordinal);
        Assert.Contains(SpoolDirectory, line, StringComparison.Ordinal);
        Assert.Equal(SinkHealth.Unreachable, runner.Health);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task StartAsyncWithoutSpoolSwallowsAnUnreachableDestinationWithOneLineAndHealthIsFailed()
    {
        _sink.HealthError = new IOException("permission denied");
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch));

        await runner.StartAsync(CancellationToken.None);

        var line = Assert.Single(_log.AtLeast(LogLevel.Warning));
        Assert.Contains("cannot be used (permission denied)", line, StringComparison.Ordinal);
        Assert.Equal(SinkHealth.Failed, runner.Health);

        // The first success makes it healthy.
        await SendAsync(runner, 0);
        await _acknowledged.WaitForAsync(BatchEvents);
        Assert.Equal(SinkHealth.Healthy, runner.Health);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task StartAsyncPropagatesTheCancellationOfItsOwnToken()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        _sink.HealthError = new OperationCanceledException(cancel.Token);
        var runner = NewRunner(Options(spool: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.StartAsync(cancel.Token));
        Assert.Empty(_log.AtLeast(LogLevel.Warning));
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task SummaryAfterCompletionReportsWrittenAndDiscardedAndTheStopLineSaysSo()
    {
        _sink.Enqueue(SinkStep.Succeed, SinkStep.Reject("rejected"), SinkStep.Fail(), SinkStep.Succeed);
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch));

        for (var b = 0; b < 4; b++)
        {
            await SendAsync(runner, b);
        }

        await CompleteAsync(runner);

        Assert.Equal(new SinkSummary(2 * BatchEvents, 0, 2 * BatchEvents, null), runner.Summary);
        Assert.Equal(2, runner.BatchesWritten);
        Assert.Equal(4 * BatchEvents, await MetricAsync("pipeline_component_events_total", ("component", _sink.Name), ("direction", "in")));
        Assert.Equal(2 * BatchEvents, await MetricAsync("pipeline_component_events_total", ("component", _sink.Name), ("direction", "out")));
        Assert.Contains((LogLevel.Information, "Sink scripted stopped: 20 events written, 20 discarded."), _log.Lines);
    }

    [Fact]
    public async Task StopLineNamesTheSpoolDirectoryWhenEventsAreLeftInIt()
    {
        _sink.Enqueue(SinkStep.Succeed);
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true, spoolMaxBytes: 100));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await SendAsync(runner, 1);
        await _spooled.WaitForAsync(BatchEvents);
        await SendAsync(runner, 2); // the spool is full
        await CompleteAsync(runner);

        Assert.Equal(new SinkSummary(BatchEvents, BatchEvents, BatchEvents, SpoolDirectory), runner.Summary);
        Assert.Contains(
            (LogLevel.Warning, $"Sink scripted stopped: 10 events written, 10 events left in the spool {SpoolDirectory} (sent at the next start), 10 discarded."),
            _log.Lines);
    }

    [Fact]
    public async Task StopLineHasNoSpoolDirectoryWhenTheSpoolWasDrained()
    {
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);
        await SendAsync(runner, 0);
        await CompleteAsync(runner);

        Assert.Equal(new SinkSummary(BatchEvents, 0, 0, SpoolDirectory), runner.Summary);
        Assert.Contains((LogLevel.Information, "Sink scripted stopped: 10 events written, 0 discarded."), _log.Lines);
    }

    [Fact]
    public async Task StopCancelsAReplayProbeInFlightAndLeavesItsRecordInTheSpool()
    {
        var probe = SinkStep.Block();
        _sink.Enqueue(SinkStep.Fail(), probe);
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, spool: true));
        await runner.StartAsync(CancellationToken.None);

        await SendAsync(runner, 0);
        await probe.Entered;
        await CompleteAsync(runner);

        Assert.Empty(_sink.Accepted);
        Assert.Equal(new SinkSummary(0, BatchEvents, 0, SpoolDirectory), runner.Summary);
        Assert.True(_sink.Disposed);
    }

    [Theory]
    [InlineData("written", SinkEncodeMode.EachBatch)]
    [InlineData("written", SinkEncodeMode.Accumulate)]
    [InlineData("failed", SinkEncodeMode.EachBatch)]
    [InlineData("failed", SinkEncodeMode.Accumulate)]
    [InlineData("rejected", SinkEncodeMode.EachBatch)]
    [InlineData("spooled", SinkEncodeMode.EachBatch)]
    [InlineData("spooled", SinkEncodeMode.Accumulate)]
    [InlineData("spool_full", SinkEncodeMode.EachBatch)]
    [InlineData("encode_failed", SinkEncodeMode.EachBatch)]
    [InlineData("encode_failed", SinkEncodeMode.Accumulate)]
    public async Task EveryPooledEventBatchIsReleased(string path, SinkEncodeMode mode)
    {
        var spool = path is "spooled" or "spool_full";
        _sink.Default = path switch
        {
            "failed" or "spooled" or "spool_full" => SinkStep.Fail(),
            "rejected" => SinkStep.Reject("rejected"),
            _ => SinkStep.Succeed,
        };
        var runner = NewRunner(
            Options(mode: mode, batchMaxEvents: 2 * BatchEvents, spool: spool, spoolMaxBytes: path == "spool_full" ? 100 : 1024 * 1024),
            () => new SeqEncoder { PoisonSeq = path == "encode_failed" ? 2 * BatchEvents : null });
        await runner.StartAsync(CancellationToken.None);

        for (var b = 0; b < 5; b++)
        {
            await SendAsync(runner, b);
        }

        await CompleteAsync(runner);

        var summary = runner.Summary;
        Assert.Equal(5 * BatchEvents, summary.Written + summary.Spooled + summary.Discarded);
        AssertEveryEventBatchReleased();
    }

    [Theory]
    [InlineData(SinkEncodeMode.EachBatch)]
    [InlineData(SinkEncodeMode.Accumulate)]
    public async Task EmptyEventBatchIsReleasedWithoutAWrite(SinkEncodeMode mode)
    {
        var runner = NewRunner(Options(mode: mode));

        Assert.True(await runner.Input.SendAsync(_batches.Parsed()));
        await CompleteAsync(runner);

        Assert.Equal(0, _sink.Calls.Total);
        Assert.Equal(new SinkSummary(0, 0, 0, null), runner.Summary);
        AssertEveryEventBatchReleased();
    }

    [Fact]
    public async Task CompletionDisposesTheSinkAndEveryEncoder()
    {
        var encoders = new System.Collections.Concurrent.ConcurrentBag<SeqEncoder>();
        var runner = NewRunner(Options(8, SinkEncodeMode.EachBatch, parallelism: 2), () =>
        {
            var encoder = new SeqEncoder();
            encoders.Add(encoder);
            return encoder;
        });

        for (var b = 0; b < 4; b++)
        {
            await SendAsync(runner, b);
        }

        await runner.DisposeAsync();

        Assert.True(runner.Completion.IsCompletedSuccessfully);
        Assert.True(_sink.Disposed);
        Assert.NotEmpty(encoders);
        Assert.All(encoders, e => Assert.True(e.Disposed));
        Assert.Equal(Seqs(0, 4), _sink.AcceptedSeqs);
    }
}
