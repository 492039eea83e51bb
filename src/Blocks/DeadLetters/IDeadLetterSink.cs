using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.DeadLetters;

/// <summary>
/// Where rejected input is recorded (reason and first bytes), so a discard can be investigated.
/// Implementations must not block and must count what they cannot keep.
/// </summary>
public interface IDeadLetterSink
{
    void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input);
}
