using Pipeline.Storage.Tests.Infrastructure;

namespace Pipeline.Storage.Tests.Sinks;

public sealed partial class SinkRunnerTests
{
    [Fact]
    public async Task AccumulateSealsOnceBatchMaxEventsArePending()
    {
        var runner = NewRunner(Options(batchMaxEvents: 10));

        // 4 + 4 + 4: the third event batch takes the pending count past 10.
        for (var b = 0; b < 3; b++)
        {
            await SendAsync(runner, b, events: 4);
        }

        await _sink.AcceptedEvents.WaitForAsync(12);
        Assert.Equal([[0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]], _sink.Accepted);

        await CompleteAsync(runner);
        Assert.Single(_sink.Accepted);
    }

    [Fact]
    public async Task AccumulateSealsOnceBatchMaxBytesArePending()
    {
        // The encoder writes 4 bytes per event: 40 bytes are 10 events, two batches of 5.
        var runner = NewRunner(Options(batchMaxBytes: 40));

        await SendAsync(runner, 0, events: 5);
        await SendAsync(runner, 1, events: 5);
        await SendAsync(runner, 2, events: 5);

        await _sink.AcceptedEvents.WaitForAsync(10);
        Assert.Equal([[0, 1, 2, 3, 4, 10, 11, 12, 13, 14]], _sink.Accepted);

        await CompleteAsync(runner);
        Assert.Equal([[0, 1, 2, 3, 4, 10, 11, 12, 13, 14], [20, 21, 22, 23, 24]], _sink.Accepted);
    }

    [Fact]
    public async Task AccumulateSealsWhenThePendingBatchIsBatchMaxDelayOld()
    {
        var delay = TimeSpan.FromSeconds(2);
        var runner = NewRunner(Options(batchMaxDelay: delay));
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.OnWaitingForBatchDelay = () => waiting.TrySetResult();

        await SendAsync(runner, 0, events: 3);
        await waiting.Task.WaitAsync(StepGate.Timeout);
        Assert.Equal(0, _sink.Calls.Total);

        _time.Fake.Advance(delay);
        await _sink.AcceptedEvents.WaitForAsync(3);
        Assert.Equal([[0, 1, 2]], _sink.Accepted);

        await CompleteAsync(runner);
        Assert.Single(_sink.Accepted);
    }

    [Fact]
    public async Task AccumulateMeasuresBatchMaxDelayFromTheFirstPendingEvent()
    {
        var delay = TimeSpan.FromSeconds(2);
        var runner = NewRunner(Options(batchMaxDelay: delay));
        var waits = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        runner.OnWaitingForBatchDelay = () => waits.Writer.TryWrite(true);

        await SendAsync(runner, 0, events: 3);
        await waits.Reader.ReadAsync().AsTask().WaitAsync(StepGate.Timeout);
        _time.Fake.Advance(delay / 2);

        // A later batch joins the pending one and does not restart its age.
        await SendAsync(runner, 1, events: 3);
        await waits.Reader.ReadAsync().AsTask().WaitAsync(StepGate.Timeout);
        Assert.Equal(0, _sink.Calls.Total);
        _time.Fake.Advance(delay / 2);

        await _sink.AcceptedEvents.WaitForAsync(6);
        Assert.Equal([[0, 1, 2, 10, 11, 12]], _sink.Accepted);
        await CompleteAsync(runner);
    }

    [Fact]
    public async Task AccumulateFlushesTheRemainderAtCompletion()
    {
        var runner = NewRunner(Options(batchMaxEvents: 10));

        await SendAsync(runner, 0, events: 6);
        await SendAsync(runner, 1, events: 6);
        await SendAsync(runner, 2, events: 3);
        await CompleteAsync(runner);

        Assert.Equal([[0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], [20, 21, 22]], _sink.Accepted);
        Assert.Equal(15, runner.Summary.Written);
    }
}
