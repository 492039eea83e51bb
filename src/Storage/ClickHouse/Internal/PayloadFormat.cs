namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>What an encoded INSERT body is. Stored with each spool record, so values never change.</summary>
internal enum PayloadFormat : ushort
{
    /// <summary>Plain RowBinary in the canonical column order.</summary>
    RowBinary = 1,

    /// <summary>RowBinary that the HTTP client gzips on the way (stored uncompressed).</summary>
    RowBinaryGzip = 2,

    /// <summary>RowBinary in ClickHouse's compressed blocks (LZ4), sent with <c>decompress=1</c>.</summary>
    RowBinaryLz4 = 3,
}
