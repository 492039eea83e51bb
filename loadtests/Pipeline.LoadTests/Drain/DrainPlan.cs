namespace Pipeline.LoadTests.Drain;

/// <summary>What one <c>rabbitmq-drain</c> run does, as given on the command line.</summary>
internal sealed record DrainPlan
{
    public required Uri Uri { get; init; }

    /// <summary>Declared durable topic, as the pipeline declares it (the same arguments, so both declares agree).</summary>
    public required string Exchange { get; init; }

    /// <summary>Declared durable (not exclusive, not auto-delete), so it exists before the pipeline publishes.</summary>
    public required string Queue { get; init; }

    public required string Binding { get; init; }

    /// <summary>The hard stop: the run ends after this long whatever happens.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Stop once this many events were counted; 0 = run for <see cref="Duration"/>.</summary>
    public required long Events { get; init; }

    /// <summary>Stop when nothing arrived for this long after the first message; zero = never.</summary>
    public required TimeSpan Idle { get; init; }

    public required ushort Prefetch { get; init; }

    /// <summary>One multiple-ack per this many messages (at most <see cref="Prefetch"/>, or the consumer would starve).</summary>
    public required int AckEvery { get; init; }

    /// <summary>Purge the queue after declaring it: leftovers of an earlier run are not counted.</summary>
    public required bool Purge { get; init; }
}
