using System.Collections.Concurrent;
using System.Text;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Graph;

public sealed class ProcessorBlockTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private readonly EventBatchPool _pool = SmallPool(maxRetained: 1_000);
    private readonly PipelineMetrics _metrics = new();

    private EventBatch Numbered(int number, int events = 1)
    {
        var batch = _pool.Rent();
        for (var i = 0; i < events; i++)
        {
            AddEvent(batch, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return batch;
    }

    private static int Number(EventBatch batch) => int.Parse(Encoding.UTF8.GetString(batch[batch.Events[0].Msg]), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Takes the block's output, so only the block itself bounds what it accepts.</summary>
    private static (ActionBlock<EventBatch> Sink, ConcurrentQueue<EventBatch> Received) Drain(ProcessorBlock block)
    {
        var received = new ConcurrentQueue<EventBatch>();
        var sink = new ActionBlock<EventBatch>(received.Enqueue, new ExecutionDataflowBlockOptions { BoundedCapacity = 1 });
        block.Block.LinkTo(sink, new DataflowLinkOptions { PropagateCompletion = true });
        return (sink, received);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 3)]
    public async Task SendAsyncWaitsWhenTheBlockIsFull(int capacity, int parallelism)
    {
        using var processor = new GatedProcessor();
        var block = new ProcessorBlock(processor, BlockOptions.Of(capacity, parallelism), _metrics, NullLogger.Instance);
        var (sink, received) = Drain(block);

        for (var i = 0; i < capacity; i++)
        {
            Assert.True(await block.Block.SendAsync(Numbered(i)).WaitAsync(Safety));
        }

        await processor.WaitForStartsAsync(Math.Min(capacity, parallelism));
        var next = block.Block.SendAsync(Numbered(capacity));

        Assert.False(next.IsCompleted);
        Assert.Empty(received);

        processor.Open();
        Assert.True(await next.WaitAsync(Safety));
        block.Block.Complete();
        await sink.Completion.WaitAsync(Safety);
        Assert.Equal(Enumerable.Range(0, capacity + 1), received.Select(Number));
    }

    [Fact]
    public async Task ThrowingProcessorDoesNotFaultTheBlock()
    {
        var processor = new DelegateProcessor("buggy", batch =>
        {
            if (Number(batch) == 1)
            {
                throw new InvalidOperationException("bug in a block");
            }
        });
        var block = new ProcessorBlock(processor, BlockOptions.Of(4, 2), _metrics, NullLogger.Instance);
        var (sink, received) = Drain(block);

        Assert.True(await block.Block.SendAsync(Numbered(0, events: 2)).WaitAsync(Safety));
        Assert.True(await block.Block.SendAsync(Numbered(1, events: 3)).WaitAsync(Safety));
        Assert.True(await block.Block.SendAsync(Numbered(2, events: 2)).WaitAsync(Safety));
        block.Block.Complete();
        await sink.Completion.WaitAsync(Safety);

        Assert.True(block.Block.Completion.IsCompletedSuccessfully);
        var batches = received.ToArray();
        Assert.Equal([2, 0, 2], batches.Select(b => b.Count));
        Assert.Equal(1, _metrics.ComponentErrors.WithLabels("buggy", "process").Value);
        Assert.Equal(3, _metrics.ComponentDiscarded.WithLabels("buggy", DiscardReasons.Failed).Value);
    }

    [Fact]
    public async Task ThrowingProcessorIsLogged()
    {
        var logger = new RecordingLogger();
        var error = new InvalidOperationException("bug in a block");
        var block = new ProcessorBlock(new DelegateProcessor("buggy", _ => throw error), BlockOptions.Of(2, 1), _metrics, logger);
        var (sink, _) = Drain(block);

        Assert.True(await block.Block.SendAsync(Numbered(0)).WaitAsync(Safety));
        block.Block.Complete();
        await sink.Completion.WaitAsync(Safety);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Same(error, entry.Exception);
        Assert.Contains("buggy", entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(8, 1)]
    [InlineData(8, 4)]
    [InlineData(32, 8)]
    public async Task EveryBatchComesOutOnceAndInOrder(int capacity, int parallelism)
    {
        const int count = 200;
        var seen = new ConcurrentDictionary<int, int>();
        var processor = new DelegateProcessor("work", batch =>
        {
            var n = Number(batch);
            seen.AddOrUpdate(n, 1, (_, c) => c + 1);
            Thread.SpinWait((count - n) % 7 * 2_000); // uneven work, so parallel batches finish out of order
            batch.Events[0].Timestamp = n * 10L;
        });
        var block = new ProcessorBlock(processor, BlockOptions.Of(capacity, parallelism), _metrics, NullLogger.Instance);
        var (sink, received) = Drain(block);

        for (var i = 0; i < count; i++)
        {
            Assert.True(await block.Block.SendAsync(Numbered(i)).WaitAsync(Safety));
        }

        block.Block.Complete();
        await sink.Completion.WaitAsync(Safety);

        Assert.Equal(Enumerable.Range(0, count), received.Select(Number));
        Assert.All(received, b => Assert.Equal(Number(b) * 10L, b.Events[0].Timestamp));
        Assert.Equal(count, seen.Count);
        Assert.All(seen.Values, c => Assert.Equal(1, c));
    }
}
