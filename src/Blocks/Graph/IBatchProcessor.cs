using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Graph;

/// <summary>
/// The work of one transform block, free of Dataflow: it changes a batch in place and handles bad
/// records itself (counting them), so one bad record never faults the graph.
/// <see cref="ProcessorBlock"/> wraps it into a bounded, parallel block.
/// </summary>
public interface IBatchProcessor
{
    /// <summary>The component name used in metrics and config (<c>parse</c>, <c>redact</c>, …).</summary>
    string Name { get; }

    void Process(EventBatch batch);
}
