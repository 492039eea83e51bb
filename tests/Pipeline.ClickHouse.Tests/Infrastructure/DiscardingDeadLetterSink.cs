using Pipeline.Blocks.DeadLetters;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>Counts dead letters instead of writing them.</summary>
internal sealed class DiscardingDeadLetterSink : IDeadLetterSink
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Write(string component, string reason, Pipeline.Blocks.Events.SourceConnection source, ReadOnlySpan<byte> input) => Interlocked.Increment(ref _count);
}
