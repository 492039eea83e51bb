using System.Collections.Concurrent;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

internal sealed class RecordingDeadLetters : IDeadLetterSink
{
    public ConcurrentQueue<(string Component, string Reason, byte[] Input)> Records { get; } = new();

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input) =>
        Records.Enqueue((component, reason, input.ToArray()));
}
