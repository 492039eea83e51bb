using System.Globalization;
using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.Cli;

/// <summary>
/// An events table in its own database, created with the sink's DDL for the server's version, holding
/// a few known events at fixed distances before now (far from any --since boundary the tests use).
/// </summary>
public sealed class EventsFixture : IAsyncLifetime
{
    /// <summary>The template id of the newest event (r-1's CRITICAL): 2^53 + 1, which a double cannot hold. The others have none (0).</summary>
    public const ulong NewestTemplateId = 9_007_199_254_740_993;

    public string Database { get; } = ClickHouseServer.NewDatabase();

    public string Url => ClickHouseServer.UrlOrNull!;

    /// <summary>The options every verb needs to read this table.</summary>
    public string[] Connection => ["--clickhouse", Url, $"--Pipeline:Sinks:ClickHouse:Database={Database}"];

    public async Task InitializeAsync()
    {
        if (ClickHouseServer.UrlOrNull is null)
        {
            return;
        }

        var server = ClickHouseServer.Shared;
        var version = (await server.RunAsync("SELECT version()")).Trim();
        var layout = ClickHouseSchema.LayoutFor(version);
        await server.RunAsync(ClickHouseSchema.CreateDatabase(Database));
        await server.RunAsync(ClickHouseSchema.CreateTable(layout, Database, "logs", 0));

        var now = DateTimeOffset.UtcNow;
        var rows = new (TimeSpan Ago, string Robot, string Level, string Type, string Msg, string Attrs)[]
        {
            (TimeSpan.FromMinutes(5), "r-1", "CRITICAL", "motor", "Motor overheated on axis 1", """{"temp":91.5}"""),
            (TimeSpan.FromMinutes(10), "r-1", "ERROR", "motor", "Motor stall on axis 2", "{}"),
            (TimeSpan.FromMinutes(15), "r-1", "INFO", "nav", "Reached waypoint 7", "{}"),
            (TimeSpan.FromMinutes(20), "r-2", "WARNING", "battery", "Battery low: 14%", """{"battery":14}"""),
            (TimeSpan.FromMinutes(25), "r-2", "DEBUG", "nav", "it's a path with a \\ and 'quotes'", "{}"),
            (TimeSpan.FromHours(3), "r-3", "ERROR", "camera", "Camera lost frame sync", "{}"),
            (TimeSpan.FromDays(3), "r-3", "ERROR", "camera", "Old error from three days ago", "{}"),
        };

        var sql = new StringBuilder(layout == SchemaLayout.Legacy
            ? $"INSERT INTO `{Database}`.logs (ts_ms, received_at_ms, robot_id, robot_name, site, level, type, msg, attrs, template_id) VALUES "
            : $"INSERT INTO `{Database}`.logs (ts, received_at, robot_id, robot_name, site, level, type, msg, attrs, template_id) VALUES ");
        for (var i = 0; i < rows.Length; i++)
        {
            var (ago, robot, level, type, msg, attrs) = rows[i];
            var ts = now - ago;
            var time = layout == SchemaLayout.Legacy
                ? ts.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
                : "'" + ts.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "'";
            sql.Append(i == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"({time}, {time}, '{robot}', 'Robot {robot}', 'lab', '{level}', '{type}', {Quote(msg)}, {Quote(attrs)}, {(i == 0 ? NewestTemplateId : 0)})");
        }

        await server.RunAsync(sql.ToString());
    }

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(Database);
        }
    }

    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
