using System.Collections.Concurrent;
using System.Text;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.FanOut;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.FanOut;

public sealed class FanOutBlockTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private readonly EventBatchPool _pool = SmallPool(maxRetained: 1_000);
    private readonly PipelineMetrics _metrics = new();

    private List<EventBatch> RentNumbered(int count)
    {
        var batches = new List<EventBatch>();
        for (var i = 0; i < count; i++)
        {
            var batch = _pool.Rent();
            AddEvent(batch, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            batches.Add(batch);
        }

        return batches;
    }

    private static int Number(EventBatch batch) => int.Parse(Encoding.UTF8.GetString(batch[batch.Events[0].Msg]), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A bounded target that records batch numbers then releases; it waits on <paramref name="gate"/> first.</summary>
    private static ActionBlock<EventBatch> Target(ConcurrentQueue<int> received, int capacity, Task? gate = null, SemaphoreSlim? onReceived = null) =>
        new(async batch =>
        {
            if (gate is not null)
            {
                await gate;
            }

            received.Enqueue(Number(batch));
            batch.Release();
            onReceived?.Release();
        }, new ExecutionDataflowBlockOptions { BoundedCapacity = capacity });

    [Fact]
    public async Task FanOutDeliversEveryBatchToEveryTargetWhenOneIsSlow()
    {
        const int count = 50;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fastReceived = new ConcurrentQueue<int>();
        var slowReceived = new ConcurrentQueue<int>();
        using var fastProgress = new SemaphoreSlim(0);
        var fast = Target(fastReceived, capacity: 1, onReceived: fastProgress);
        var slow = Target(slowReceived, capacity: 1, gate.Task);
        var fanOut = new FanOutBlock([fast, slow], ["fast", "slow"], BlockOptions.Of(2, 1), _metrics, NullLogger.Instance);
        var batches = RentNumbered(count);

        var producer = Task.Run(async () =>
        {
            foreach (var batch in batches)
            {
                Assert.True(await fanOut.Input.SendAsync(batch));
            }

            fanOut.Input.Complete();
        });

        // The fast target gets #0 and #1; then the fan-out waits for the slow one, which holds #0,
        // and the producer is held too, instead of anything being skipped.
        Assert.True(await fastProgress.WaitAsync(Safety));
        Assert.True(await fastProgress.WaitAsync(Safety));
        Assert.False(producer.IsCompleted);
        Assert.Empty(slowReceived);
        gate.SetResult();
        await producer.WaitAsync(Safety);
        await Task.WhenAll(fanOut.Completion, fast.Completion, slow.Completion).WaitAsync(Safety);

        Assert.Equal(Enumerable.Range(0, count), fastReceived);
        Assert.Equal(Enumerable.Range(0, count), slowReceived);
        Assert.All(batches, b => Assert.Equal(0, b.References));
        Assert.Equal(count, _pool.Retained); // each batch came back exactly once
        Assert.Equal(count, _metrics.ComponentEvents.WithLabels("fanout", "out").Value);
    }

    [Fact]
    public async Task FanOutSendAsyncWaitsWhenTheSlowestTargetIsFull()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fastReceived = new ConcurrentQueue<int>();
        var slowReceived = new ConcurrentQueue<int>();
        var fast = Target(fastReceived, capacity: 100);
        var slow = Target(slowReceived, capacity: 1, gate.Task);
        var fanOut = new FanOutBlock([fast, slow], ["fast", "slow"], BlockOptions.Of(1, 1), _metrics, NullLogger.Instance);
        var batches = RentNumbered(3);

        // #0 goes to the slow target, which holds it; #1 is taken by the fan-out, which then waits on
        // the slow target; #2 finds the fan-out full.
        await fanOut.Input.SendAsync(batches[0]).WaitAsync(Safety);
        await fanOut.Input.SendAsync(batches[1]).WaitAsync(Safety);
        var third = fanOut.Input.SendAsync(batches[2]);

        Assert.False(third.IsCompleted);
        Assert.Empty(slowReceived);

        gate.SetResult();
        Assert.True(await third.WaitAsync(Safety));
        fanOut.Input.Complete();
        await Task.WhenAll(fast.Completion, slow.Completion).WaitAsync(Safety);
        Assert.Equal([0, 1, 2], slowReceived);
        Assert.Equal([0, 1, 2], fastReceived);
        Assert.Equal(3, _pool.Retained);
    }

    [Fact]
    public async Task BroadcastBlockLosesBatchesForASlowTarget()
    {
        // The contrast: the same slow bounded target behind a BroadcastBlock. The broadcast accepts
        // everything at once and keeps only the latest batch for the busy target; the rest are gone,
        // and never go back to the pool.
        const int count = 50;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowReceived = new ConcurrentQueue<int>();
        var slow = Target(slowReceived, capacity: 1, gate.Task);
        var broadcast = new BroadcastBlock<EventBatch>(b => b);
        broadcast.LinkTo(slow, new DataflowLinkOptions { PropagateCompletion = true });
        var batches = RentNumbered(count);

        foreach (var batch in batches)
        {
            Assert.True(await broadcast.SendAsync(batch).WaitAsync(Safety)); // never waits: nothing slows the producer
        }

        broadcast.Complete();
        await broadcast.Completion.WaitAsync(Safety);
        gate.SetResult();
        await slow.Completion.WaitAsync(Safety);

        Assert.InRange(slowReceived.Count, 1, count / 2);
        Assert.Equal(slowReceived.Count, _pool.Retained);
    }

    [Fact]
    public async Task FanOutCountsAndReleasesWhenATargetDeclines()
    {
        var logger = new RecordingLogger();
        var liveReceived = new ConcurrentQueue<int>();
        var live = Target(liveReceived, capacity: 4);
        var completed = Target(new ConcurrentQueue<int>(), capacity: 4);
        completed.Complete();
        await completed.Completion.WaitAsync(Safety);
        var fanOut = new FanOutBlock([completed, live], ["gone", "live"], BlockOptions.Of(2, 1), _metrics, logger);
        var batch = _pool.Rent();
        AddEvent(batch, "0");
        AddEvent(batch, "0");

        Assert.True(await fanOut.Input.SendAsync(batch).WaitAsync(Safety));
        fanOut.Input.Complete();
        await live.Completion.WaitAsync(Safety);

        Assert.Equal([0], liveReceived);
        Assert.Equal(2, _metrics.ComponentDiscarded.WithLabels("fanout", DiscardReasons.TargetDeclined).Value);
        Assert.Equal(1, _pool.Retained);
        Assert.Equal(0, batch.References);
        Assert.Contains(logger.Entries, e => e.Message.Contains("gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FanOutWithoutTargetsCountsAndReleases()
    {
        var fanOut = new FanOutBlock(Array.Empty<ITargetBlock<EventBatch>>(), [], BlockOptions.Of(2, 1), _metrics, NullLogger.Instance);
        var batch = _pool.Rent();
        AddEvent(batch, "0");

        Assert.True(await fanOut.Input.SendAsync(batch).WaitAsync(Safety));
        fanOut.Input.Complete();
        await fanOut.Completion.WaitAsync(Safety);

        Assert.Equal(1, _metrics.ComponentDiscarded.WithLabels("fanout", "no_sink").Value);
        Assert.Equal(1, _pool.Retained);
    }

    [Fact]
    public async Task FanOutFaultReachesEveryTarget()
    {
        var first = Target(new ConcurrentQueue<int>(), capacity: 1);
        var second = Target(new ConcurrentQueue<int>(), capacity: 1);
        var fanOut = new FanOutBlock([first, second], ["a", "b"], BlockOptions.Of(1, 1), _metrics, NullLogger.Instance);

        fanOut.Input.Fault(new InvalidOperationException("boom"));

        await Assert.ThrowsAnyAsync<Exception>(() => first.Completion.WaitAsync(Safety));
        await Assert.ThrowsAnyAsync<Exception>(() => second.Completion.WaitAsync(Safety));
        Assert.True(first.Completion.IsFaulted);
        Assert.True(second.Completion.IsFaulted);
    }

    [Fact]
    public async Task FanOutWorksWithEventSinks()
    {
        var a = new RecordingEventSink("a");
        var b = new RecordingEventSink("b");
        var fanOut = new FanOutBlock([a, b], BlockOptions.Of(2, 1), _metrics, NullLogger.Instance);

        foreach (var batch in RentNumbered(5))
        {
            Assert.True(await fanOut.Input.SendAsync(batch).WaitAsync(Safety));
        }

        fanOut.Input.Complete();
        await Task.WhenAll(a.Completion, b.Completion).WaitAsync(Safety);
        Assert.Equal(["0", "1", "2", "3", "4"], a.Messages);
        Assert.Equal(["0", "1", "2", "3", "4"], b.Messages);
        Assert.Equal(5, _pool.Retained);
    }
}
