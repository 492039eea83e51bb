using System.Collections.Concurrent;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Tests.Infrastructure;

/// <summary>Keeps every dead letter (with a copy of its input) for assertions.</summary>
internal sealed class RecordingDeadLetterSink : IDeadLetterSink
{
    private readonly ConcurrentQueue<DeadLetter> _records = new();

    public IReadOnlyList<DeadLetter> Records => [.. _records];

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input) =>
        _records.Enqueue(new DeadLetter(component, reason, source, input.ToArray()));
}

internal sealed record DeadLetter(string Component, string Reason, SourceConnection Source, byte[] Input);
