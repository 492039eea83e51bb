using System.Globalization;
using System.Text;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// The events table: its DDL for each <see cref="SchemaLayout"/>, the INSERT column list, and the
/// check of an existing table. Every row is encoded in one canonical order (see
/// <see cref="RowBinaryEncoder"/>): DateTime64(3) and Int64 milliseconds are the same 8 bytes, and
/// LowCardinality(String) is a String on the wire, so a spooled INSERT fits either layout.
/// </summary>
internal static class ClickHouseSchema
{
    public const string LevelEnum = "Enum8('DEBUG' = 0, 'INFO' = 1, 'WARNING' = 2, 'ERROR' = 3, 'CRITICAL' = 4)";

    private static readonly string[] LegacyColumns =
    [
        "ts_ms", "received_at_ms", "robot_id", "robot_name", "site", "level", "type", "msg", "template_id",
        "trace_id", "span_id", "hash", "protocol", "conn_id", "ingest_node", "attrs",
    ];

    private static readonly string[] ModernColumns =
    [
        "ts", "received_at", "robot_id", "robot_name", "site", "level", "type", "msg", "template_id",
        "trace_id", "span_id", "hash", "protocol", "conn_id", "ingest_node", "attrs",
    ];

    /// <summary>The INSERT's columns, in the encoder's order.</summary>
    public static IReadOnlyList<string> InsertColumns(SchemaLayout layout) =>
        layout == SchemaLayout.Legacy ? LegacyColumns : ModernColumns;

    /// <summary>20.1 brought DateTime64; everything older gets the legacy layout.</summary>
    public static SchemaLayout LayoutFor(string version)
    {
        var parts = version.Split('.');
        if (parts.Length >= 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return major > 20 || (major == 20 && minor >= 1) ? SchemaLayout.Modern : SchemaLayout.Legacy;
        }

        return SchemaLayout.Legacy;
    }

    public static string QualifiedName(string database, string table) => $"`{database}`.`{table}`";

    public static string CreateDatabase(string database) => $"CREATE DATABASE IF NOT EXISTS `{database}`";

    public static string CreateTable(SchemaLayout layout, string database, string table, int ttlDays) =>
        layout == SchemaLayout.Legacy ? LegacyDdl(database, table) : ModernDdl(database, table, ttlDays);

    private static string LegacyDdl(string database, string table) => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName(database, table)}
        (
            ts DateTime DEFAULT toDateTime(intDiv(ts_ms, 1000)),
            ts_ms Int64,
            received_at DateTime DEFAULT toDateTime(intDiv(received_at_ms, 1000)),
            received_at_ms Int64,
            robot_id String,
            robot_name String,
            site String,
            level {LevelEnum},
            type String,
            msg String,
            template_id UInt64,
            trace_id String,
            span_id String,
            hash String,
            protocol String,
            conn_id UInt64,
            ingest_node String,
            attrs String
        )
        ENGINE = MergeTree()
        PARTITION BY toYYYYMMDD(ts)
        ORDER BY (robot_id, ts, ts_ms)
        SETTINGS index_granularity = 8192
        """;

    private static string ModernDdl(string database, string table, int ttlDays)
    {
        var ttl = ttlDays > 0 ? $"\nTTL toDateTime(ts) + INTERVAL {ttlDays.ToString(CultureInfo.InvariantCulture)} DAY" : "";
        return $"""
            CREATE TABLE IF NOT EXISTS {QualifiedName(database, table)}
            (
                ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
                received_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
                robot_id LowCardinality(String),
                robot_name LowCardinality(String),
                site LowCardinality(String),
                level {LevelEnum},
                type LowCardinality(String),
                msg String CODEC(ZSTD(3)),
                template_id UInt64 CODEC(ZSTD(1)),
                trace_id String CODEC(ZSTD(1)),
                span_id String CODEC(ZSTD(1)),
                hash String CODEC(ZSTD(1)),
                protocol LowCardinality(String),
                conn_id UInt64 CODEC(ZSTD(1)),
                ingest_node LowCardinality(String),
                attrs String CODEC(ZSTD(3))
            )
            ENGINE = MergeTree
            PARTITION BY toYYYYMMDD(ts)
            ORDER BY (robot_id, ts){ttl}
            SETTINGS index_granularity = 8192
            """;
    }

    /// <summary>
    /// Which layout an existing table has (by its time columns), or an error naming the first
    /// column that does not take what the pipeline writes. Extra columns are fine: ClickHouse fills them.
    /// </summary>
    public static (SchemaLayout Layout, string? Error) Check(string database, string table, IReadOnlyDictionary<string, string> columns)
    {
        var layout = columns.ContainsKey("ts_ms") ? SchemaLayout.Legacy : SchemaLayout.Modern;
        foreach (var name in InsertColumns(layout))
        {
            var expected = Expected(layout, name);
            if (!columns.TryGetValue(name, out var actual))
            {
                return (layout, Problem(database, table, $"column '{name}' is missing (the pipeline writes {expected})"));
            }

            if (!Accepts(layout, name, Normalise(actual)))
            {
                return (layout, Problem(database, table, $"column '{name}' is {actual}, but the pipeline writes {expected}"));
            }
        }

        if (layout == SchemaLayout.Legacy)
        {
            foreach (var name in (ReadOnlySpan<string>)["ts", "received_at"])
            {
                if (!columns.TryGetValue(name, out var actual) || !Normalise(actual).StartsWith("DateTime", StringComparison.Ordinal))
                {
                    return (layout, Problem(database, table,
                        $"column '{name}' is {actual ?? "missing"}, but the legacy layout needs it as DateTime DEFAULT toDateTime(intDiv({name}_ms, 1000))"));
                }
            }
        }

        return (layout, null);
    }

    private static readonly string[] LegacyPatternColumns = ["id", "template", "first_seen_ms", "last_seen_ms", "count", "version"];

    private static readonly string[] ModernPatternColumns = ["id", "template", "first_seen", "last_seen", "count", "version"];

    /// <summary>The patterns table's INSERT columns, in <c>PatternRowEncoder</c>'s order.</summary>
    public static IReadOnlyList<string> PatternInsertColumns(SchemaLayout layout) =>
        layout == SchemaLayout.Legacy ? LegacyPatternColumns : ModernPatternColumns;

    /// <summary>
    /// The patterns table: one row per template and write round. ReplacingMergeTree keeps the row with
    /// the highest <c>version</c> (the writer's clock at the round, strictly increasing) per <c>id</c>
    /// once parts merge; readers use <c>FINAL</c> so they see only that row before the merge. The
    /// version is UInt64 on both layouts because 18.x takes only unsigned integers, Date or DateTime.
    /// </summary>
    public static string CreatePatternsTable(SchemaLayout layout, string database, string table) =>
        layout == SchemaLayout.Legacy ? $"""
            CREATE TABLE IF NOT EXISTS {QualifiedName(database, table)}
            (
                id UInt64,
                template String,
                first_seen DateTime DEFAULT toDateTime(intDiv(first_seen_ms, 1000)),
                first_seen_ms Int64,
                last_seen DateTime DEFAULT toDateTime(intDiv(last_seen_ms, 1000)),
                last_seen_ms Int64,
                count UInt64,
                version UInt64
            )
            ENGINE = ReplacingMergeTree(version)
            ORDER BY id
            SETTINGS index_granularity = 8192
            """ : $"""
            CREATE TABLE IF NOT EXISTS {QualifiedName(database, table)}
            (
                id UInt64,
                template String CODEC(ZSTD(3)),
                first_seen DateTime64(3, 'UTC'),
                last_seen DateTime64(3, 'UTC'),
                count UInt64,
                version UInt64
            )
            ENGINE = ReplacingMergeTree(version)
            ORDER BY id
            SETTINGS index_granularity = 8192
            """;

    /// <summary>
    /// Which layout an existing patterns table has, or an error naming the first column (or the
    /// engine) that does not fit: without a Replacing engine every round's row would stay and FINAL fails.
    /// </summary>
    public static (SchemaLayout Layout, string? Error) CheckPatterns(string database, string table, string engine, IReadOnlyDictionary<string, string> columns)
    {
        var layout = columns.ContainsKey("first_seen_ms") ? SchemaLayout.Legacy : SchemaLayout.Modern;
        foreach (var name in PatternInsertColumns(layout))
        {
            var expected = name switch
            {
                "template" => "String",
                "first_seen" or "last_seen" => "DateTime64(3)",
                "first_seen_ms" or "last_seen_ms" => "Int64 (Unix milliseconds)",
                _ => "UInt64",
            };
            if (!columns.TryGetValue(name, out var actual))
            {
                return (layout, PatternsProblem(database, table, $"column '{name}' is missing (the pipeline writes {expected})"));
            }

            var type = Normalise(actual);
            var fits = name switch
            {
                "template" => type == "String",
                "first_seen" or "last_seen" => type == "DateTime64(3)" || (type.StartsWith("DateTime64(3,", StringComparison.Ordinal) && type.EndsWith(')')),
                "first_seen_ms" or "last_seen_ms" => type == "Int64",
                _ => type == "UInt64",
            };
            if (!fits)
            {
                return (layout, PatternsProblem(database, table, $"column '{name}' is {actual}, but the pipeline writes {expected}"));
            }
        }

        if (!engine.EndsWith("ReplacingMergeTree", StringComparison.Ordinal))
        {
            return (layout, PatternsProblem(database, table, $"its engine is {engine}, but it must be ReplacingMergeTree(version) so the latest row per id wins"));
        }

        return (layout, null);
    }

    private static string PatternsProblem(string database, string table, string what) =>
        $"ClickHouse table {database}.{table} does not match what the pipeline writes: {what}. " +
        $"Migrate or drop the table, or point Pipeline:Sinks:ClickHouse:Patterns:Table at a new one (it is created when missing).";

    private static string Problem(string database, string table, string what) =>
        $"ClickHouse table {database}.{table} does not match what the pipeline writes: {what}. " +
        $"Migrate or drop the table, or point Pipeline:Sinks:ClickHouse:Table at a new one (it is created when missing).";

    private static string Expected(SchemaLayout layout, string column) => column switch
    {
        "ts" or "received_at" => "DateTime64(3)",
        "ts_ms" or "received_at_ms" => "Int64 (Unix milliseconds)",
        "level" => LevelEnum,
        "template_id" or "conn_id" => "UInt64",
        _ => layout == SchemaLayout.Modern ? "String or LowCardinality(String)" : "String",
    };

    private static bool Accepts(SchemaLayout layout, string column, string type) => column switch
    {
        "ts" or "received_at" => type == "DateTime64(3)" || (type.StartsWith("DateTime64(3,", StringComparison.Ordinal) && type.EndsWith(')')),
        "ts_ms" or "received_at_ms" => type == "Int64",
        "level" => type == Normalise(LevelEnum),
        "template_id" or "conn_id" => type == "UInt64",
        _ => type == "String" || (layout == SchemaLayout.Modern && type == "LowCardinality(String)"),
    };

    /// <summary>Drops spaces and unifies quotes, so <c>Enum8('A' = 0)</c> and <c>Enum8(\'A\'=0)</c> compare equal.</summary>
    internal static string Normalise(string type)
    {
        var builder = new StringBuilder(type.Length);
        foreach (var c in type)
        {
            if (c != ' ' && c != '\\')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
