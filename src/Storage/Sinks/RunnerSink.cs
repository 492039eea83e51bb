using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// A sink in the graph: its own encoder and I/O behind the shared <see cref="SinkRunner"/>. The
/// derived class only builds the runner (and may add hooks of its own); everything the graph and
/// <c>/readyz</c> ask of a sink is the runner's.
/// </summary>
public abstract class RunnerSink : IEventSink, IAsyncDisposable
{
    protected RunnerSink(SinkRunner runner)
    {
        Runner = runner;
    }

    public string Name => Runner.Name;

    public ITargetBlock<EventBatch> Input => Runner.Input;

    public Task Completion => Runner.Completion;

    /// <inheritdoc cref="SinkRunner.Health"/>
    public SinkHealth Health => Runner.Health;

    public SinkSummary Summary => Runner.Summary;

    internal SinkRunner Runner { get; }

    /// <summary>Completes the input and waits until everything accepted was written or spooled; the runner then disposes the sink's I/O.</summary>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Runner.DisposeAsync();
    }
}
