using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class SchemaSetupTests : IAsyncLifetime
{
    private readonly ClickHouseServer _server = ClickHouseServer.UrlOrNull is null ? null! : ClickHouseServer.Shared;
    private readonly string _database = ClickHouseServer.NewDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task CreatesDatabaseAndTableWithTheLayoutTheServerVersionSupports()
    {
        using var endpoint = Endpoint();

        var (layout, version) = await SchemaSetup.EnsureAsync(endpoint, Options(), CancellationToken.None);

        Assert.Equal(ClickHouseSchema.LayoutFor(version), layout);
        var columns = await _server.RowsAsync($"SELECT name, type FROM system.columns WHERE database = '{_database}' AND table = 'logs'");
        var names = columns.Select(c => c[0]).ToList();
        foreach (var column in ClickHouseSchema.InsertColumns(layout))
        {
            Assert.Contains(column, names);
        }

        Assert.Contains("ts", names);
        Assert.Contains("received_at", names);
        var partition = await _server.RunAsync($"SELECT partition_key, sorting_key FROM system.tables WHERE database = '{_database}' AND name = 'logs'");
        Assert.StartsWith("toYYYYMMDD(ts)\trobot_id, ts", partition, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task IsIdempotentOnAnExistingTable()
    {
        using var endpoint = Endpoint();
        await SchemaSetup.EnsureAsync(endpoint, Options(), CancellationToken.None);
        await _server.RunAsync($"INSERT INTO `{_database}`.logs (ts_ms, robot_id) VALUES (1700000000000, 'r1')");

        await SchemaSetup.EnsureAsync(endpoint, Options(), CancellationToken.None);

        Assert.Equal(1, await _server.CountAsync($"SELECT count() FROM `{_database}`.logs"));
    }

    [ClickHouseFact]
    public async Task UsesTheConfiguredDatabaseAndTable()
    {
        using var endpoint = Endpoint();

        await SchemaSetup.EnsureAsync(endpoint, Options(table: "robot_events"), CancellationToken.None);

        Assert.Equal(1, await _server.CountAsync($"SELECT count() FROM system.tables WHERE database = '{_database}' AND name = 'robot_events'"));
    }

    [ClickHouseFact]
    public async Task ATableWithAColumnOfTheWrongTypeIsAnErrorNamingTheColumn()
    {
        await _server.RunAsync($"CREATE DATABASE `{_database}`");
        var ddl = ClickHouseSchema.CreateTable(SchemaLayout.Legacy, _database, "logs", 0).Replace("conn_id UInt64", "conn_id String", StringComparison.Ordinal);
        await _server.RunAsync(ddl);
        using var endpoint = Endpoint();

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => SchemaSetup.EnsureAsync(endpoint, Options(), CancellationToken.None));

        Assert.Contains("column 'conn_id' is String, but the pipeline writes UInt64", error.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task ATableWithoutAColumnIsAnErrorNamingTheColumn()
    {
        await _server.RunAsync($"CREATE DATABASE `{_database}`");
        await _server.RunAsync($"CREATE TABLE `{_database}`.logs (ts DateTime, ts_ms Int64, robot_id String) ENGINE = MergeTree() ORDER BY ts_ms");
        using var endpoint = Endpoint();

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => SchemaSetup.EnsureAsync(endpoint, Options(), CancellationToken.None));

        Assert.Contains("column 'received_at_ms' is missing", error.Message, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task AMissingTableIsAnErrorWhenSchemaCreationIsOff()
    {
        using var endpoint = Endpoint();
        var options = Options();
        options.CreateSchema = false;

        var error = await Assert.ThrowsAsync<ClickHouseSchemaException>(() => SchemaSetup.EnsureAsync(endpoint, options, CancellationToken.None));

        Assert.Contains("CreateSchema", error.Message, StringComparison.Ordinal);
    }

    private ClickHouseEndpoint Endpoint() => new(_server.Url, TimeSpan.FromSeconds(30));

    private ClickHouseSinkOptions Options(string table = "logs") => new() { ConnectionString = _server.Url, Database = _database, Table = table };
}
