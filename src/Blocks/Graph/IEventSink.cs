using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Graph;

/// <summary>
/// A destination at the end of the graph. It owns each batch it accepts and releases it once the
/// destination acknowledged it (or it was spooled), counting <c>pipeline_sink_written_events_total</c>.
/// </summary>
public interface IEventSink
{
    string Name { get; }

    ITargetBlock<EventBatch> Input { get; }

    /// <summary>Completes after <see cref="Input"/> completed and everything accepted was written.</summary>
    Task Completion { get; }

    SinkHealth Health { get; }

    /// <summary>What the sink did so far: written, left in its spool, discarded (for the shutdown line).</summary>
    SinkSummary Summary => SinkSummary.Unknown;

    /// <summary>
    /// False for a fan-out target that keeps state for the service itself (the robots' recent events) and writes
    /// nothing anywhere: it is left out of <c>/readyz</c>'s sinks and the drain line.
    /// </summary>
    bool IsDestination => true;
}
