using System.Globalization;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// The events table as the sink made it, and the SQL that differs between its two layouts:
/// ClickHouse 18.x keeps milliseconds in <c>ts_ms Int64</c> (with <c>ts DateTime</c> computed from it),
/// 20.1+ has <c>ts DateTime64(3)</c>.
/// </summary>
internal sealed class EventsTable
{
    public static readonly string[] Levels = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

    private EventsTable(string name, bool legacy)
    {
        Name = name;
        Legacy = legacy;
    }

    /// <summary>Rows read from the rolling files: times as Unix milliseconds, as in the 18.x layout.</summary>
    public static EventsTable Files { get; } = new("files", legacy: true);

    /// <summary><c>`database`.`table`</c>.</summary>
    public string Name { get; }

    /// <summary>True for the 18.x layout (<c>ts_ms</c>).</summary>
    public bool Legacy { get; }

    /// <summary>The event time as Unix milliseconds (legacy) or <c>yyyy-MM-dd HH:mm:ss.fff</c> UTC text (modern): read it with <see cref="FormatTime"/>.</summary>
    public string TimeColumn => Legacy ? "ts_ms" : "toString(ts)";

    /// <summary>Newest first.</summary>
    public string NewestFirst => Legacy ? "ts_ms DESC" : "ts DESC";

    /// <summary>Looks the table up in <c>system.columns</c>; throws <see cref="ClickHouseTableMissingException"/> naming the settings when it is missing.</summary>
    public static async Task<EventsTable> OpenAsync(QueryRunner runner, CancellationToken cancellationToken)
    {
        var target = runner.Target;
        var result = await runner.QueryAsync(
            $"SELECT name FROM system.columns WHERE database = {SqlLiteral.Quote(target.Database)} AND table = {SqlLiteral.Quote(target.Table)}",
            cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            throw new ClickHouseTableMissingException(
                $"table {target.QualifiedTable} does not exist at {target.Description}: set Pipeline:Sinks:ClickHouse:Database and :Table " +
                "(or --Pipeline:Sinks:ClickHouse:Database=…) to where the service writes.");
        }

        var legacy = false;
        foreach (var row in result.Rows)
        {
            legacy |= row.Length > 0 && row[0] == "ts_ms";
        }

        return new EventsTable(target.QualifiedTable, legacy);
    }

    /// <summary>A condition on the event time: <c>ts &gt;= time</c> (<paramref name="atLeast"/>) or <c>ts &lt; time</c>.</summary>
    public string TimeCondition(DateTimeOffset time, bool atLeast)
    {
        var op = atLeast ? ">=" : "<";
        if (Legacy)
        {
            // ts (whole seconds) lets ClickHouse skip partitions; ts_ms is exact.
            var ms = time.ToUnixTimeMilliseconds();
            var seconds = atLeast ? Math.Floor(ms / 1000.0) : Math.Ceiling(ms / 1000.0);
            var coarse = atLeast ? ">=" : "<=";
            return string.Create(CultureInfo.InvariantCulture, $"ts {coarse} toDateTime({(long)seconds}) AND ts_ms {op} {ms}");
        }

        return $"ts {op} toDateTime64('{time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}', 3, 'UTC')";
    }

    /// <summary>The value of <see cref="TimeColumn"/> as <c>yyyy-MM-dd HH:mm:ss.fff</c> UTC.</summary>
    public string FormatTime(string value) => ToTime(value).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>The value of <see cref="TimeColumn"/> as RFC 3339, for JSON.</summary>
    public string FormatTimeRfc3339(string value) => ToTime(value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The level names from <paramref name="minimum"/> up, or null when it is not a level.</summary>
    public static string? NormalizeLevel(string minimum)
    {
        foreach (var level in Levels)
        {
            if (string.Equals(level, minimum, StringComparison.OrdinalIgnoreCase) ||
                (level == "WARNING" && string.Equals(minimum, "WARN", StringComparison.OrdinalIgnoreCase)))
            {
                return level;
            }
        }

        return null;
    }

    private DateTimeOffset ToTime(string value)
    {
        if (Legacy && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : DateTimeOffset.UnixEpoch;
    }
}
