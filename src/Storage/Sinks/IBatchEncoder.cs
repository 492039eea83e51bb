using Pipeline.Blocks.Events;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// A sink's encoding: event batches are appended into one pending <see cref="SinkBatch"/> until the
/// runner seals it (by size, count or age, see <see cref="SinkRunnerOptions"/>). One encoder is used
/// by one thread at a time; the runner makes one per degree of parallelism.
/// </summary>
public interface IBatchEncoder : IDisposable
{
    /// <summary>Events appended since the last <see cref="Seal"/>.</summary>
    int PendingEvents { get; }

    /// <summary>Bytes appended since the last <see cref="Seal"/> (before compression).</summary>
    long PendingBytes { get; }

    /// <summary>Encodes every event of <paramref name="batch"/>. Does not release the batch (the runner does).</summary>
    void Append(EventBatch batch);

    /// <summary>The pending events as one batch to send (compressed, framed), or null when nothing is pending.</summary>
    SinkBatch? Seal();
}
