namespace Pipeline.LoadTests.Fleet;

/// <summary>What one run does, as given on the command line.</summary>
internal sealed record LoadPlan
{
    /// <summary>How the run is shown: <c>tcp 127.0.0.1:5140</c>, <c>websocket ws://…/ingest</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Robots, one connection each.</summary>
    public required int Robots { get; init; }

    /// <summary>Events per second for the whole fleet; 0 = as fast as the connections go.</summary>
    public required double Rate { get; init; }

    /// <summary>How long to send when <see cref="Events"/> is 0.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Total events to send (split across robots); 0 = send for <see cref="Duration"/>.</summary>
    public required long Events { get; init; }

    /// <summary>Events per socket write or WebSocket message.</summary>
    public required int LinesPerWrite { get; init; }

    /// <summary>Robot <c>i</c> generates with seed <c>Seed + i</c>.</summary>
    public required int Seed { get; init; }

    /// <summary>Hard stop: the run ends after this long whatever happens, in-flight writes are aborted.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Ask for acks (docs/acks.md): a hello with a boot_id, seq 1, 2, … first on every event, every ack awaited before closing.</summary>
    public bool Acks { get; init; }

    /// <summary>Stamp <c>ts</c> as gen_events.py does (a fixed day, from seq) instead of with the time each event is sent.</summary>
    public bool FixedTimestamps { get; init; }

    /// <summary>The events robot <paramref name="index"/> sends, or <see cref="long.MaxValue"/> in a timed run.</summary>
    public long QuotaOf(int index) =>
        Events == 0 ? long.MaxValue : Events / Robots + (index < Events % Robots ? 1 : 0);
}
