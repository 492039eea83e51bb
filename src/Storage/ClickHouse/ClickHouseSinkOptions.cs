using Pipeline.Blocks.Configuration;
using Pipeline.Storage.ClickHouse.Patterns;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Spool;

namespace Pipeline.Storage.ClickHouse;

/// <summary>Options of the ClickHouse sink (<c>Pipeline:Sinks:ClickHouse</c>). The sink is on when <see cref="ConnectionString"/> is set.</summary>
public sealed class ClickHouseSinkOptions : IValidatedOptions
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

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (ConnectionString is { Length: > 0 } connection)
        {
            try
            {
                Internal.ClickHouseEndpoint.ParseSettings(connection);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                errors.Add(nameof(ConnectionString), $"not an http:// URL or a ClickHouse.Driver connection string (Host=…;Port=8123;Username=…;Password=…): {ex.Message}");
            }
        }

        errors.Check(IsIdentifier(Database), nameof(Database), $"must be a plain identifier (letters, digits, _), got '{Database}'.");
        errors.Check(IsIdentifier(Table), nameof(Table), $"must be a plain identifier (letters, digits, _), got '{Table}'.");
        errors.Check(TtlDays >= 0, nameof(TtlDays), $"must be 0 (keep) or more (got {TtlDays}).");
        errors.Check(BatchMaxRows is >= 1 and <= 10_000_000, nameof(BatchMaxRows), $"must be 1 to 10 000 000 (got {BatchMaxRows}).");
        errors.Check(BatchMaxBytes is >= 64 * 1024 and <= 512 * 1024 * 1024, nameof(BatchMaxBytes), $"must be 64 KiB to 512 MiB (got {BatchMaxBytes}).");
        errors.Check(BatchMaxDelay > TimeSpan.Zero, nameof(BatchMaxDelay), $"must be positive, e.g. 00:00:01 (got {BatchMaxDelay}).");
        errors.Check(BoundedCapacity >= 1, nameof(BoundedCapacity), $"must be at least 1 (got {BoundedCapacity}); the sink is never unbounded.");
        errors.Check(InsertAttempts >= 1, nameof(InsertAttempts), $"must be at least 1 (got {InsertAttempts}).");
        errors.Check(RetryDelay > TimeSpan.Zero, nameof(RetryDelay), $"must be positive (got {RetryDelay}).");
        errors.Check(RetryMaxDelay >= RetryDelay, nameof(RetryMaxDelay), $"must be at least RetryDelay (got {RetryMaxDelay}).");
        errors.Check(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), $"must be positive (got {RequestTimeout}).");
        Spool.Validate(errors.Nested(nameof(Spool)));

        // The patterns table's name is checked here, not by its options: it must differ from the events table's.
        errors.Check(IsIdentifier(Patterns.Table) && Patterns.Table != Table, "Patterns:Table",
            $"must be a plain identifier (letters, digits, _) other than Table, got '{Patterns.Table}'.");
        Patterns.Validate(errors.Nested(nameof(Patterns)));
    }

    private static bool IsIdentifier(string value) =>
        value.Length is > 0 and <= 128 && !char.IsAsciiDigit(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
