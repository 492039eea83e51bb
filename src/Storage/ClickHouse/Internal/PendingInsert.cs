using System.Buffers;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>One INSERT's encoded body and its row count, in a pooled buffer returned on dispose.</summary>
internal sealed class PendingInsert : IDisposable
{
    private byte[] _buffer;

    public PendingInsert(byte[] buffer, int length, int rows, PayloadFormat format)
    {
        _buffer = buffer;
        Length = length;
        Rows = rows;
        Format = format;
    }

    public int Length { get; }

    public int Rows { get; }

    public PayloadFormat Format { get; }

    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
