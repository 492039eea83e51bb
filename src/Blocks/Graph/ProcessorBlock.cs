using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Graph;

/// <summary>
/// A bounded, parallel <see cref="TransformBlock{TInput,TOutput}"/> around an <see cref="IBatchProcessor"/>.
/// A processor that throws (a bug: processors handle bad records themselves) must not fault the
/// graph: the batch's events are counted as discarded with reason <c>failed</c> and it moves on empty.
/// </summary>
public sealed class ProcessorBlock
{
    private readonly IBatchProcessor _processor;
    private readonly ComponentMetrics _metrics;
    private readonly ILogger _logger;
    private long _lastErrorLog = Environment.TickCount64 - 60_000;

    public ProcessorBlock(IBatchProcessor processor, BlockOptions options, PipelineMetrics metrics, ILogger logger)
    {
        _processor = processor;
        _metrics = metrics.ForComponent(processor.Name);
        _logger = logger;
        Block = new TransformBlock<EventBatch, EventBatch>(Process, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = options.BoundedCapacity,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
            EnsureOrdered = true,
            SingleProducerConstrained = false,
        });
        var depth = metrics.BlockQueueDepth.WithLabels(processor.Name);
        metrics.OnCollect(() => depth.Set(Block.InputCount));
    }

    public string Name => _processor.Name;

    public TransformBlock<EventBatch, EventBatch> Block { get; }

    private EventBatch Process(EventBatch batch)
    {
        try
        {
            _processor.Process(batch);
        }
        catch (Exception ex)
        {
            _metrics.Error("process");
            _metrics.Discarded(DiscardReasons.Failed, batch.Count);
            batch.TruncateEvents(0);
            var now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _lastErrorLog) > 10_000)
            {
                Interlocked.Exchange(ref _lastErrorLog, now);
                GraphLog.ProcessorFailed(_logger, ex, _processor.Name);
            }
        }

        return batch;
    }
}
