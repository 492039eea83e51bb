using Pipeline.Blocks.Configuration;

namespace Pipeline.Storage.Acks;

/// <summary>Acknowledged delivery (<c>Pipeline:Acks</c>; DESIGN, "Acknowledgements"; the protocol in docs/acks.md).</summary>
public sealed class AckOptions : IValidatedOptions
{
    /// <summary>Robots may ask for acks in their hello. Needs the files sink (acks promise the disk). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// At most one fsync for acknowledgements, and so one ack per robot boot, this often: events wait at most this long
    /// (plus the fsync) between the files sink's write and their ack. Default 50 ms.
    /// </summary>
    public TimeSpan AckInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// An acknowledged connection's partial batch goes on this long after its first line (instead of
    /// <c>Pipeline:Ingest:FlushInterval</c>): the robot waits for the ack, so lines do not wait long for company. Default 5 ms.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Robot boots whose highest durable seq is remembered; past it the longest-quiet hundredth is forgotten. Default 100,000.</summary>
    public int MaxStreams { get; set; } = 100_000;

    /// <summary>A boot with no event for this long is forgotten (its re-sends would be written again). Default 7 days.</summary>
    public TimeSpan StreamRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the remembered seqs are saved (when they moved) to <c>data/acks/streams.json</c>. Default 1 s.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a new connection of a boot waits for the previous connection's last batch to be handed on, so the
    /// files keep the order of seq. Default 30 s.
    /// </summary>
    public TimeSpan TakeoverTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(AckInterval >= TimeSpan.FromMilliseconds(1) && AckInterval <= TimeSpan.FromSeconds(10), nameof(AckInterval),
            $"must be 1 ms to 10 s, e.g. 00:00:00.050 (got {AckInterval}).");
        errors.Check(FlushInterval > TimeSpan.Zero && FlushInterval <= TimeSpan.FromSeconds(1), nameof(FlushInterval),
            $"must be more than 0 and at most 1 s, e.g. 00:00:00.005 (got {FlushInterval}).");
        errors.Check(MaxStreams >= 1, nameof(MaxStreams), $"must be at least 1 (got {MaxStreams}).");
        errors.Check(StreamRetention > TimeSpan.Zero, nameof(StreamRetention), $"must be positive, e.g. 7.00:00:00 (got {StreamRetention}).");
        errors.Check(SnapshotInterval > TimeSpan.Zero, nameof(SnapshotInterval), $"must be positive (got {SnapshotInterval}).");
        errors.Check(TakeoverTimeout > TimeSpan.Zero, nameof(TakeoverTimeout), $"must be positive (got {TakeoverTimeout}).");
    }
}
