using System.Globalization;
using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;

namespace Pipeline.ClickHouse.Tests.Analysts;

/// <summary>
/// Every query of docs/analyst-queries.sql, run against the real server over a small known data set
/// (times relative to now, so the "last hour" and "silent for 10 minutes" queries have something to find).
/// </summary>
public sealed class AnalystQueriesTests : IAsyncLifetime
{
    private static readonly string[] QueryNames =
    [
        "errors per robot per hour",
        "top messages",
        "robots silent for 10 minutes",
        "battery over time",
        "events per level per site",
        "error rate per robot model",
        "busiest robots in the last hour",
        "one trace in order",
        "events by type per day",
        "last messages of one robot",
        "top patterns",
    ];

    /// <summary>What the pattern-mine block would give each message of the data set (one template each).</summary>
    private static readonly Dictionary<string, int> TemplateIds = new()
    {
        ["lidar timeout"] = 101, ["battery report"] = 102, ["heartbeat"] = 103,
        ["dock reached"] = 104, ["wheel slip"] = 105, ["motor overheat"] = 106,
    };

    private readonly string _database = ClickHouseServer.NewDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [Fact]
    public void TheFileHoldsTheElevenQueriesAndTheReadmeShowsEachOneAsIs()
    {
        var queries = AnalystQueries.Load();
        Assert.Equal(QueryNames, queries.Select(q => q.Name));

        var readme = File.ReadAllText(Path.Combine(AnalystQueries.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var section = readme[readme.IndexOf("## For analysts", StringComparison.Ordinal)..readme.IndexOf("## ClickHouse", StringComparison.Ordinal)];
        foreach (var query in queries)
        {
            Assert.Contains("-- name: " + query.Name + "\n" + query.Text + ";", section, StringComparison.Ordinal);
        }
    }

    [ClickHouseFact]
    public async Task EveryQueryRunsAndFindsTheRowsOfTheKnownDataSet()
    {
        var server = ClickHouseServer.Shared;
        await CreateTableWithTheSinkAsync();
        await InsertDataSetAsync(server);
        var queries = AnalystQueries.Load().ToDictionary(q => q.Name, q => q.Text);

        async Task<List<string[]>> Run(string name) =>
            await server.RowsAsync(queries[name].Replace("pipeline.logs", $"`{_database}`.logs", StringComparison.Ordinal));

        var errorsPerHour = await Run("errors per robot per hour");
        Assert.Contains(errorsPerHour, r => r[0] == "r-001" && r[1].EndsWith(":00:00", StringComparison.Ordinal) && r[2] == "3");
        Assert.Contains(errorsPerHour, r => r[0] == "r-003" && r[2] == "1");
        Assert.Equal(4, errorsPerHour.Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));

        var top = await Run("top messages");
        Assert.Equal(["lidar timeout", "3"], top[0]);
        Assert.Equal(["battery report", "2"], top[1]);
        Assert.Equal(["heartbeat", "2"], top[2]);

        var silent = await Run("robots silent for 10 minutes");
        Assert.Equal("r-003", Assert.Single(silent)[0]);

        var battery = await Run("battery over time");
        var batteryRow = Assert.Single(battery);
        Assert.Equal("r-001", batteryRow[0]);
        Assert.Equal("80", batteryRow[2]);

        var levels = await Run("events per level per site");
        Assert.Equal(
            [["alpha", "INFO", "3"], ["alpha", "ERROR", "3"], ["beta", "INFO", "2"], ["beta", "WARNING", "1"], ["beta", "ERROR", "1"]],
            levels);

        var models = await Run("error rate per robot model");
        Assert.Equal([["AMR-2", "6", "3", "0.5"], ["AMR-3", "4", "1", "0.25"]], models);

        var busiest = await Run("busiest robots in the last hour");
        Assert.Equal([["r-001", "6"], ["r-002", "2"], ["r-003", "2"]], busiest);

        var trace = await Run("one trace in order");
        Assert.Equal(["s1", "s2", "s3"], trace.Select(r => r[2]));
        Assert.All(trace, r => Assert.Equal("r-001", r[1]));

        var types = await Run("events by type per day");
        Assert.Contains(types, r => r[1] == "lidar" && r[2] == "3");
        Assert.Equal(10, types.Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));

        var last = await Run("last messages of one robot");
        Assert.Equal(6, last.Count);
        Assert.Equal("dock reached", last[0][3]);
        Assert.Equal("lidar timeout", last[^1][3]);

        var patterns = await Run("top patterns");
        Assert.Equal(["101", "lidar timeout", "3", "1"], patterns[0]);
        Assert.Equal(["102", "battery report", "2", "1"], patterns[1]);
        Assert.Equal(["103", "heartbeat", "2", "2"], patterns[2]);
        Assert.Equal(6, patterns.Count);
    }

    /// <summary>The table exactly as the sink creates it (for the server's version).</summary>
    private async Task CreateTableWithTheSinkAsync()
    {
        await using var harness = new SinkHarness(ClickHouseServer.UrlOrNull!, _database);
        await harness.Sink.StartAsync(CancellationToken.None);
        await harness.CompleteAsync();
    }

    /// <summary>
    /// Three robots: r-001 (site alpha, model AMR-2) two minutes ago, three ERRORs of one trace and two
    /// battery reports; r-002 (beta, AMR-3) a minute and a half ago; r-003 (beta, AMR-3) last seen 30 minutes ago.
    /// </summary>
    private async Task InsertDataSetAsync(ClickHouseServer server)
    {
        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var recent = (nowSeconds - 120) * 1000;
        var old = (nowSeconds - 1800) * 1000;
        const string Amr2 = """{"model":"AMR-2"}""";
        const string Amr3 = """{"model":"AMR-3"}""";
        var rows = new (long Ts, string Robot, string Site, string Level, string Type, string Msg, string Trace, string Span, string Attrs)[]
        {
            // The trace's spans out of order: the query orders them by milliseconds within one second.
            (recent + 300, "r-001", "alpha", "ERROR", "lidar", "lidar timeout", "a1b2c3d4", "s3", Amr2),
            (recent + 100, "r-001", "alpha", "ERROR", "lidar", "lidar timeout", "a1b2c3d4", "s1", Amr2),
            (recent + 200, "r-001", "alpha", "ERROR", "lidar", "lidar timeout", "a1b2c3d4", "s2", Amr2),
            (recent + 10_000, "r-001", "alpha", "INFO", "telemetry", "battery report", "", "", """{"model":"AMR-2","battery":80.5}"""),
            (recent + 10_500, "r-001", "alpha", "INFO", "telemetry", "battery report", "", "", """{"model":"AMR-2","battery":79.5}"""),
            (recent + 20_000, "r-001", "alpha", "INFO", "navigation", "dock reached", "", "", Amr2),
            (recent + 30_000, "r-002", "beta", "WARNING", "motion", "wheel slip", "", "", Amr3),
            (recent + 31_000, "r-002", "beta", "INFO", "telemetry", "heartbeat", "", "", Amr3),
            (old, "r-003", "beta", "INFO", "telemetry", "heartbeat", "", "", Amr3),
            (old + 1000, "r-003", "beta", "ERROR", "motion", "motor overheat", "", "", Amr3),
        };

        var modern = await server.CountAsync(
            $"SELECT count() FROM system.columns WHERE database = '{_database}' AND table = 'logs' AND name = 'ts_ms'") == 0;
        var sql = new StringBuilder(modern
            ? $"INSERT INTO `{_database}`.logs (ts, received_at, robot_id, robot_name, site, level, type, msg, template_id, trace_id, span_id, attrs) VALUES "
            : $"INSERT INTO `{_database}`.logs (ts_ms, received_at_ms, robot_id, robot_name, site, level, type, msg, template_id, trace_id, span_id, attrs) VALUES ");
        foreach (var row in rows)
        {
            var ts = modern
                ? $"toDateTime64({(row.Ts / 1000.0).ToString("F3", CultureInfo.InvariantCulture)}, 3, 'UTC')"
                : row.Ts.ToString(CultureInfo.InvariantCulture);
            sql.Append(CultureInfo.InvariantCulture,
                $"({ts}, {ts}, '{row.Robot}', '{row.Robot}', '{row.Site}', '{row.Level}', '{row.Type}', '{row.Msg}', {TemplateIds[row.Msg]}, '{row.Trace}', '{row.Span}', '{row.Attrs}'),");
        }

        await server.RunAsync(sql.ToString().TrimEnd(','));
    }
}

/// <summary>The queries of docs/analyst-queries.sql: each is the text after a "-- name: …" line up to its ';'.</summary>
internal sealed record AnalystQuery(string Name, string Text);

internal static class AnalystQueries
{
    private const string NamePrefix = "-- name: ";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "analyst-queries.sql")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No docs/analyst-queries.sql above {AppContext.BaseDirectory}.");
    }

    public static List<AnalystQuery> Load()
    {
        var lines = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "analyst-queries.sql")).ReplaceLineEndings("\n").Split('\n');
        var queries = new List<AnalystQuery>();
        string? name = null;
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            if (line.StartsWith(NamePrefix, StringComparison.Ordinal))
            {
                name = line[NamePrefix.Length..].Trim();
                text.Clear();
                continue;
            }

            if (name is null)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append('\n');
            }

            if (line.TrimEnd().EndsWith(';'))
            {
                text.Append(line.TrimEnd()[..^1]);
                queries.Add(new AnalystQuery(name, text.ToString()));
                name = null;
                continue;
            }

            text.Append(line);
        }

        if (name is not null)
        {
            throw new FormatException($"docs/analyst-queries.sql: the query \"{name}\" does not end with ';'.");
        }

        return queries;
    }
}
