using Pipeline.Storage.ClickHouse.Patterns;
using Pipeline.Storage.Sinks;
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

    /// <summary>The table of mined templates that <c>logs.template_id</c> joins (<c>Pipeline:Sinks:ClickHouse:Patterns</c>).</summary>
    public ClickHousePatternsOptions Patterns { get; set; } = new();

    /// <summary>How the shared runner feeds this sink: one INSERT accumulating, one queued, one in flight.</summary>
    public SinkRunnerOptions ToRunnerOptions(string spoolDirectory) => new()
    {
        BoundedCapacity = BoundedCapacity,
        EncodeMode = SinkEncodeMode.Accumulate,
        BatchMaxEvents = BatchMaxRows,
        BatchMaxBytes = BatchMaxBytes,
        BatchMaxDelay = BatchMaxDelay,
        WriteQueue = 0, // one in flight, and the accumulator holds the next while it waits
        Attempts = InsertAttempts,
        RetryDelay = RetryDelay,
        RetryMaxDelay = RetryMaxDelay,
        Jitter = true,
        Spool = Spool,
        SpoolDirectory = spoolDirectory,
        WriteStage = "insert",
        KeyPrefix = "Pipeline:Sinks:ClickHouse",
    };

    /// <summary>Adds a message naming the key for every bad value (<paramref name="prefix"/> is <c>Pipeline:Sinks:ClickHouse</c>).</summary>
    public void Validate(string prefix, List<string> errors)
    {
        void Check(bool ok, string key, string message)
        {
            if (!ok)
            {
                errors.Add($"{prefix}:{key}: {message}");
            }
        }

        if (ConnectionString is { Length: > 0 } connection)
        {
            try
            {
                Internal.ClickHouseEndpoint.ParseSettings(connection);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                errors.Add($"{prefix}:ConnectionString: not an http:// URL or a ClickHouse.Driver connection string (Host=…;Port=8123;Username=…;Password=…): {ex.Message}");
            }
        }

        Check(IsIdentifier(Database), "Database", $"must be a plain identifier (letters, digits, _), got '{Database}'.");
        Check(IsIdentifier(Table), "Table", $"must be a plain identifier (letters, digits, _), got '{Table}'.");
        Check(TtlDays >= 0, "TtlDays", $"must be 0 (keep) or more (got {TtlDays}).");
        Check(BatchMaxRows is >= 1 and <= 10_000_000, "BatchMaxRows", $"must be 1 to 10 000 000 (got {BatchMaxRows}).");
        Check(BatchMaxBytes is >= 64 * 1024 and <= 512 * 1024 * 1024, "BatchMaxBytes", $"must be 64 KiB to 512 MiB (got {BatchMaxBytes}).");
        Check(BatchMaxDelay > TimeSpan.Zero, "BatchMaxDelay", $"must be positive, e.g. 00:00:01 (got {BatchMaxDelay}).");
        Check(BoundedCapacity >= 1, "BoundedCapacity", $"must be at least 1 (got {BoundedCapacity}); the sink is never unbounded.");
        Check(InsertAttempts >= 1, "InsertAttempts", $"must be at least 1 (got {InsertAttempts}).");
        Check(RetryDelay > TimeSpan.Zero, "RetryDelay", $"must be positive (got {RetryDelay}).");
        Check(RetryMaxDelay >= RetryDelay, "RetryMaxDelay", $"must be at least RetryDelay (got {RetryMaxDelay}).");
        Check(RequestTimeout > TimeSpan.Zero, "RequestTimeout", $"must be positive (got {RequestTimeout}).");
        Check(Spool.SegmentBytes >= 64 * 1024, "Spool:SegmentBytes", $"must be at least 64 KiB (got {Spool.SegmentBytes}).");
        Check(IsIdentifier(Patterns.Table) && Patterns.Table != Table, "Patterns:Table",
            $"must be a plain identifier (letters, digits, _) other than Table, got '{Patterns.Table}'.");
        Check(Patterns.Interval >= TimeSpan.FromMilliseconds(100), "Patterns:Interval", $"must be at least 00:00:00.100, e.g. 00:00:10 (got {Patterns.Interval}).");
        Check(Spool.MaxBytes >= Spool.SegmentBytes, "Spool:MaxBytes", $"must be at least Spool:SegmentBytes (got {Spool.MaxBytes}).");
    }

    private static bool IsIdentifier(string value) =>
        value.Length is > 0 and <= 128 && !char.IsAsciiDigit(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
