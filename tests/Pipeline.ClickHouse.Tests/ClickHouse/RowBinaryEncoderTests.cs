using System.Buffers.Binary;
using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class RowBinaryEncoderTests
{
    private readonly TestBatches _batches = new();

    [Fact]
    public void WritesColumnsInTheCanonicalOrder()
    {
        var batch = _batches.Parsed("""{"ts":1750000000001,"robot_id":"r\"1","level":"WARNING","type":"t","msg":"m","trace_id":"tr","span_id":"sp","hash":"h","k":1}""");
        using var buffer = new InsertBuffer(PayloadFormat.RowBinary);

        new RowBinaryEncoder().Encode(batch, buffer);
        using var insert = buffer.Seal();

        var bytes = insert.Payload.ToArray();
        var reader = new RowReader(bytes);
        Assert.Equal(1750000000001, reader.Int64());
        Assert.Equal(TestBatches.ReceivedAt, reader.Int64());
        Assert.Equal("r\"1", reader.String());
        Assert.Equal("", reader.String());
        Assert.Equal("", reader.String());
        Assert.Equal(2, reader.Byte());
        Assert.Equal("t", reader.String());
        Assert.Equal("m", reader.String());
        Assert.Equal(0, reader.Int64());
        Assert.Equal("tr", reader.String());
        Assert.Equal("sp", reader.String());
        Assert.Equal("h", reader.String());
        Assert.Equal("tcp", reader.String());
        Assert.Equal(42, reader.Int64());
        Assert.Equal("test-node", reader.String());
        Assert.Equal("{\"k\":1}", reader.String());
        Assert.True(reader.AtEnd);
        Assert.Equal(1, insert.Events);
        batch.Release();
    }

    [Fact]
    public void AnUnescapedStringShorterThan128BytesKeepsAOneBytePrefix()
    {
        // 130 escaped bytes unescape to 65: the length prefix shrinks from two bytes to one and the text moves.
        var msg = string.Concat(Enumerable.Repeat("\\n", 65));
        var batch = _batches.Parsed($$"""{"ts":1,"robot_id":"r","msg":"{{msg}}"}""");
        using var buffer = new InsertBuffer(PayloadFormat.RowBinary);

        new RowBinaryEncoder().Encode(batch, buffer);
        using var insert = buffer.Seal();

        var reader = new RowReader(insert.Payload.ToArray());
        reader.Int64();
        reader.Int64();
        reader.String();
        reader.String();
        reader.String();
        reader.Byte();
        reader.String();
        Assert.Equal(new string('\n', 65), reader.String());
        batch.Release();
    }

    [Fact]
    public void EncodingAllocatesNothingPerEvent()
    {
        var batch = _batches.Events(0, 1000);
        var encoder = new RowBinaryEncoder();
        using var buffer = new InsertBuffer(PayloadFormat.RowBinaryLz4);
        void OneInsert()
        {
            for (var i = 0; i < 10; i++)
            {
                encoder.Encode(batch, buffer);
            }

            buffer.Seal().Dispose();
        }

        OneInsert(); // warm up: pooled buffers rented once, code jitted
        OneInsert();
        var before = GC.GetAllocatedBytesForCurrentThread();
        OneInsert();
        OneInsert();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Two INSERTs of 10 000 rows: only the SinkBatch objects (a few dozen bytes each).
        Assert.InRange(allocated, 0, 2 * 128);
        batch.Release();
    }

    private sealed class RowReader(byte[] bytes)
    {
        private int _at;

        public bool AtEnd => _at == bytes.Length;

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(_at));
            _at += 8;
            return value;
        }

        public byte Byte() => bytes[_at++];

        public string String()
        {
            var length = 0;
            var shift = 0;
            byte b;
            do
            {
                b = bytes[_at++];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            var text = Encoding.UTF8.GetString(bytes, _at, length);
            _at += length;
            return text;
        }
    }
}
