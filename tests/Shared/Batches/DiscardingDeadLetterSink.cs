using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;

namespace Pipeline.Tests.Shared.Batches;

/// <summary>Counts what the parse block rejects, and keeps nothing else.</summary>
internal sealed class DiscardingDeadLetterSink : IDeadLetterSink
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input) =>
        Interlocked.Increment(ref _count);
}
