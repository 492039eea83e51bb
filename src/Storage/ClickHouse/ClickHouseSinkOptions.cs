using Pipeline.Storage.Spool;

namespace Pipeline.Storage.ClickHouse;

/// <summary>Options of the ClickHouse sink (<c>Pipeline:Sinks:ClickHouse</c>). The sink is on when <see cref="ConnectionString"/> is set.</summary>
public sealed class ClickHouseSinkOptions
{
    /// <summary>
    /// Where ClickHouse's HTTP interface is: an URL (<c>http://user:password@host:8123</c>) or a
    /// ClickHouse.Driver connection string (<c>Host=…;Port=8123;Username=…;Password=…</c>). Unset: sink off.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Database of the events table, created when missing. Default <c>pipeline</c>.</summary>
    public string Database { get; set; } = "pipeline";

    /// <summary>The events table, created when missing. Default <c>logs</c>.</summary>
    public string Table { get; set; } = "logs";

    /// <summary>Creates the database and table when they are missing. Default true.</summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Rows are deleted this many days after <c>ts</c> (servers 20.1+ only). Default 0: kept.</summary>
    public int TtlDays { get; set; }

    /// <summary>An INSERT is sent at this many rows... Default 100 000.</summary>
    public int BatchMaxRows { get; set; } = 100_000;

    /// <summary>...or at this many bytes of RowBinary (before compression)... Default 16 MiB.</summary>
    public int BatchMaxBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>...or this long after its first row, whichever comes first. Default 1 s.</summary>
    public TimeSpan BatchMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How the INSERT body is compressed. Default <see cref="ClickHouseCompression.Lz4"/> (measured faster than gzip; see the README).</summary>
    public ClickHouseCompression Compression { get; set; } = ClickHouseCompression.Lz4;

    /// <summary>Event batches the sink queues before the fan-out waits. Default 8.</summary>
    public int BoundedCapacity { get; set; } = 8;

    /// <summary>Attempts of one INSERT before it goes to the spool. Default 3.</summary>
    public int InsertAttempts { get; set; } = 3;

    /// <summary>First delay between attempts; doubled each time, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts, and between replay probes while spooling. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One HTTP request's timeout. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The disk spool for INSERTs ClickHouse did not acknowledge. Directory default <c>&lt;DataDir&gt;/spool/clickhouse</c>.</summary>
    public DiskSpoolOptions Spool { get; set; } = new();
}
