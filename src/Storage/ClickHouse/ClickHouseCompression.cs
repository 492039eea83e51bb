namespace Pipeline.Storage.ClickHouse;

/// <summary>How an INSERT body travels.</summary>
public enum ClickHouseCompression
{
    /// <summary>Plain RowBinary.</summary>
    None,

    /// <summary>HTTP <c>Content-Encoding: gzip</c>.</summary>
    Gzip,

    /// <summary>ClickHouse's own compressed blocks (LZ4, CityHash128 checksums), sent with <c>decompress=1</c>.</summary>
    Lz4,
}
