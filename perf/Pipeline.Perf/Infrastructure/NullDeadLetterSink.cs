using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;

namespace Pipeline.Perf.Infrastructure;

/// <summary>Counts dead letters and keeps nothing: benchmark data has no bad lines, so a count above 0 is a bug in the data.</summary>
internal sealed class NullDeadLetterSink : IDeadLetterSink
{
    public long Count { get; private set; }

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input) => Count++;
}
