using Pipeline.Blocks.Events;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>Event batches as RowBinary rows of one pending INSERT (compressed as configured); sealed into its body.</summary>
internal sealed class ClickHouseEncoder(PayloadFormat format) : IBatchEncoder
{
    private readonly RowBinaryEncoder _encoder = new();
    private readonly InsertBuffer _buffer = new(format);

    public int PendingEvents => _buffer.Rows;

    public long PendingBytes => _buffer.RawBytes;

    public void Append(EventBatch batch) => _encoder.Encode(batch, _buffer);

    public SinkBatch? Seal() => _buffer.Rows == 0 ? null : _buffer.Seal();

    public void Dispose() => _buffer.Dispose();
}
