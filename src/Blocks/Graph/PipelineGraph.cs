using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.FanOut;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Graph;

/// <summary>
/// The running graph: processors in order (parse → redact → enrich → …), then a fan-out to every
/// sink. Every link propagates completion, so <see cref="CompleteAsync"/> drains everything that
/// was accepted into the sinks before it returns.
/// </summary>
public sealed class PipelineGraph
{
    private readonly List<ProcessorBlock> _processors = [];
    private readonly FanOutBlock _fanOut;
    private readonly IReadOnlyList<IEventSink> _sinks;
    private volatile bool _completing;

    public PipelineGraph(
        IReadOnlyList<(IBatchProcessor Processor, BlockOptions Options)> processors,
        IReadOnlyList<IEventSink> sinks,
        BlockOptions fanOutOptions,
        PipelineMetrics metrics,
        ILogger logger)
    {
        _sinks = sinks;
        _fanOut = new FanOutBlock(sinks, fanOutOptions, metrics, logger);
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        foreach (var (processor, options) in processors)
        {
            var block = new ProcessorBlock(processor, options, metrics, logger);
            if (_processors.Count > 0)
            {
                _processors[^1].Block.LinkTo(block.Block, link);
            }

            _processors.Add(block);
        }

        if (_processors.Count == 0)
        {
            Input = _fanOut.Input;
        }
        else
        {
            _processors[^1].Block.LinkTo(_fanOut.Input, link);
            Input = _processors[0].Block;
        }

        Completion = CompleteAllAsync();
    }

    /// <summary>Where ingest sends batches (with <c>await SendAsync</c>, never <c>Post</c>).</summary>
    public ITargetBlock<EventBatch> Input { get; }

    public IReadOnlyList<IEventSink> Sinks => _sinks;

    /// <summary>Completes when every block and sink has completed.</summary>
    public Task Completion { get; }

    /// <summary>False from the moment shutdown begins, so <c>/readyz</c> stops saying ready while draining.</summary>
    public bool IsRunning => !_completing && !Input.Completion.IsCompleted;

    /// <summary>Stops taking input and waits until the sinks have written everything accepted.</summary>
    public Task CompleteAsync()
    {
        _completing = true;
        Input.Complete();
        return Completion;
    }

    private async Task CompleteAllAsync()
    {
        // Wait for the sinks first: their completion follows the blocks' and holds what matters.
        var tasks = new List<Task>(_processors.Count + _sinks.Count + 1);
        foreach (var sink in _sinks)
        {
            tasks.Add(sink.Completion);
        }

        tasks.Add(_fanOut.Completion);
        foreach (var processor in _processors)
        {
            tasks.Add(processor.Block.Completion);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
