using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Blocks.Tests.Infrastructure;

/// <summary>A processor whose work is a delegate (a throwing one plays a buggy block).</summary>
internal sealed class DelegateProcessor(string name, Action<EventBatch> process) : IBatchProcessor
{
    public string Name { get; } = name;

    public void Process(EventBatch batch) => process(batch);
}
