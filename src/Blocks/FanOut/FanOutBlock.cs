using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.FanOut;

/// <summary>
/// Hands every batch to every sink, awaiting each <c>SendAsync</c>: the slowest sink sets the pace
/// and nothing is skipped (unlike <see cref="BroadcastBlock{T}"/>, which keeps only the latest
/// message for a busy target). The batch gets one reference per sink; the last sink to release
/// it returns it to the pool.
/// </summary>
public sealed class FanOutBlock
{
    private readonly ITargetBlock<EventBatch>[] _targets;
    private readonly string[] _names;
    private readonly ComponentMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ActionBlock<EventBatch> _block;

    public FanOutBlock(IReadOnlyList<IEventSink> sinks, BlockOptions options, PipelineMetrics metrics, ILogger logger)
        : this(Targets(sinks), Names(sinks), options, metrics, logger)
    {
    }

    public FanOutBlock(ITargetBlock<EventBatch>[] targets, string[] names, BlockOptions options, PipelineMetrics metrics, ILogger logger)
    {
        _targets = targets;
        _names = names;
        _metrics = metrics.ForComponent("fanout");
        _logger = logger;
        _block = new ActionBlock<EventBatch>(SendToAll, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = options.BoundedCapacity,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        });
        var depth = metrics.BlockQueueDepth.WithLabels("fanout");
        metrics.OnCollect(() => depth.Set(_block.InputCount));

        // When the fan-out is done, its targets are: they drain and complete in turn.
        _ = _block.Completion.ContinueWith(CompleteTargets, this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    private async Task SendToAll(EventBatch batch)
    {
        _metrics.In.Inc(batch.Count);
        if (_targets.Length == 0)
        {
            _metrics.Discarded("no_sink", batch.Count);
            batch.Release();
            return;
        }

        batch.AddReferences(_targets.Length - 1);
        for (var i = 0; i < _targets.Length; i++)
        {
            if (!await _targets[i].SendAsync(batch).ConfigureAwait(false))
            {
                _metrics.Discarded(DiscardReasons.TargetDeclined, batch.Count);
                GraphLog.SinkDeclined(_logger, _names[i], batch.Count);
                batch.Release();
            }
        }

        _metrics.Out.Inc(batch.Count);
    }

    private static void CompleteTargets(Task completion, object? state)
    {
        var self = (FanOutBlock)state!;
        foreach (var target in self._targets)
        {
            if (completion.Exception is { } error)
            {
                target.Fault(error.GetBaseException());
            }
            else
            {
                target.Complete();
            }
        }
    }

    private static ITargetBlock<EventBatch>[] Targets(IReadOnlyList<IEventSink> sinks)
    {
        var targets = new ITargetBlock<EventBatch>[sinks.Count];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = sinks[i].Input;
        }

        return targets;
    }

    private static string[] Names(IReadOnlyList<IEventSink> sinks)
    {
        var names = new string[sinks.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = sinks[i].Name;
        }

        return names;
    }
}
