namespace Pipeline.Ingest.Cli.Files;

/// <summary>What a scan does with each event, and how far back it still needs to read.</summary>
internal interface IEventVisitor
{
    /// <summary>
    /// Events older than this (Unix ms) can no longer change the answer: the scan stops once it reaches frames received
    /// <see cref="FileScanner.ClockAllowance"/> before it. <see cref="long.MinValue"/>: read everything.
    /// </summary>
    long NeededFrom { get; }

    void Visit(ref readonly EventHead head, ReadOnlySpan<byte> line);
}
