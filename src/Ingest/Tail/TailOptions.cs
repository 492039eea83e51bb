using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Tail;

/// <summary>The live tail (<c>Pipeline:Tail</c>): <c>GET /api/tail</c> (Server-Sent Events) and <c>/api/tail/ws</c> (WebSocket).</summary>
public sealed class TailOptions : IValidatedOptions
{
    /// <summary>Subscribers at once; one more is answered 429. Default 32.</summary>
    public int MaxSubscribers { get; set; } = 32;

    /// <summary>
    /// Events one subscriber may have waiting to be sent; past it, events for that subscriber are dropped and counted
    /// (it is told how many in a <c>dropped</c> message). Default 1000.
    /// </summary>
    public int BufferEvents { get; set; } = 1000;

    /// <summary>
    /// Batches the tail may have waiting to be filtered; past it, a batch is not rendered but only counted as dropped for
    /// each subscriber it had events for, so the fan-out never waits for the tail. Default 64.
    /// </summary>
    public int BufferBatches { get; set; } = 64;

    /// <summary>An SSE comment (or a WebSocket ping by Kestrel) this often keeps idle subscriptions through proxies. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A viewer's events are sent at most this often: between two sends they gather in its buffer, so a viewer of a few
    /// events a second costs one write (and one wake-up of its connection) per interval, not one per event. A viewer whose
    /// buffer is half full is sent to at once. 0 sends each event as it comes. Default 50 ms.
    /// </summary>
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxSubscribers is >= 0 and <= 10_000, nameof(MaxSubscribers), $"must be 0 (tail off) to 10000 (got {MaxSubscribers}).");
        errors.Check(BufferEvents is >= 1 and <= 1_000_000, nameof(BufferEvents), $"must be 1 to 1000000 (got {BufferEvents}).");
        errors.Check(BufferBatches is >= 1 and <= 100_000, nameof(BufferBatches), $"must be 1 to 100000 (got {BufferBatches}).");
        errors.Check(SendInterval >= TimeSpan.Zero && SendInterval <= TimeSpan.FromSeconds(5), nameof(SendInterval), $"must be 00:00:00 (each event at once) to 00:00:05 (got {SendInterval}).");
        errors.Check(KeepAliveInterval >= TimeSpan.FromSeconds(1), nameof(KeepAliveInterval), $"must be at least 00:00:01 (got {KeepAliveInterval}).");
    }
}
