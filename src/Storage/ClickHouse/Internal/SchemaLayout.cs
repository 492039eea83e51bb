namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>The two shapes of the events table. Both take the same RowBinary rows; only the INSERT's column names differ.</summary>
internal enum SchemaLayout
{
    /// <summary>
    /// ClickHouse before 20.1 (Debian's 18.16): no DateTime64, no codecs, no TTL, LowCardinality
    /// experimental. Times are Int64 Unix milliseconds (<c>ts_ms</c>, <c>received_at_ms</c>) with
    /// <c>ts</c>/<c>received_at</c> DateTime columns computed from them by DEFAULT.
    /// </summary>
    Legacy,

    /// <summary>20.1 and later: DateTime64(3), LowCardinality, codecs, TTL.</summary>
    Modern,
}
