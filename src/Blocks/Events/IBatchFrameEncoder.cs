namespace Pipeline.Blocks.Events;

/// <summary>
/// Encodes a whole batch into one frame that several sinks write as it is (the files' LZ4 NDJSON frame
/// is also a RabbitMQ Batch-mode body). See <see cref="EventBatch.GetOrEncodeFrame"/>.
/// </summary>
public interface IBatchFrameEncoder
{
    /// <summary>The frame in a buffer from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which the batch then owns.</summary>
    byte[] EncodeFrame(EventBatch batch, out int length);
}
