using System.Net.WebSockets;
using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.ClickHouse.Tests.Integration;

/// <summary>The whole service (TestPipeline) with the ClickHouse sink on: robots' events become rows.</summary>
public sealed class ClickHouseIngestTests : IAsyncLifetime
{
    private readonly string _database = ClickHouseServer.NewDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task TcpEventsLandAsTypedRows()
    {
        await using var pipeline = await StartAsync();
        var lines = new StringBuilder();
        for (var seq = 0; seq < 1000; seq++)
        {
            lines.Append($$"""{"ts":"2025-06-15T12:00:{{seq % 60:D2}}.{{seq % 1000:D3}}Z","robot_id":"r{{seq % 5}}","level":"{{(seq % 10 == 0 ? "ERROR" : "INFO")}}","type":"telemetry","msg":"event {{seq}}","seq":{{seq}}}""").Append('\n');
        }

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(lines.ToString()));
        await pipeline.StopAsync();

        var server = ClickHouseServer.Shared;
        Assert.Equal(1000, pipeline.Metric("pipeline_sink_written_events_total", "clickhouse"));
        Assert.Equal(1000, await server.CountAsync($"SELECT uniqExact(visitParamExtractUInt(attrs, 'seq')) FROM `{_database}`.logs"));
        Assert.Equal(100, await server.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE level = 'ERROR'"));
        Assert.Equal(5, await server.CountAsync($"SELECT uniqExact(robot_id) FROM `{_database}`.logs"));
        var row = Assert.Single(await server.RowsAsync(
            $"SELECT toString(ts), ts_ms % 1000, protocol, ingest_node != '', conn_id > 0, received_at_ms > 0 FROM `{_database}`.logs WHERE msg = 'event 123'"));
        Assert.Equal(["2025-06-15 12:00:03", "123", "tcp", "1", "1", "1"], row);
    }

    [ClickHouseFact]
    public async Task WebSocketEventsLandAsRows()
    {
        await using var pipeline = await StartAsync();
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(pipeline.WebSocketUri, CancellationToken.None);
            for (var frame = 0; frame < 10; frame++)
            {
                var text = string.Join('\n', Enumerable.Range(frame * 10, 10).Select(seq =>
                    $$"""{"ts":1750000000000,"robot_id":"ws-robot","level":"WARNING","msg":"frame {{frame}} seq {{seq}}","seq":{{seq}}}"""));
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var server = ClickHouseServer.Shared;
        Assert.Equal(100, await server.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE robot_id = 'ws-robot' AND level = 'WARNING'"));
        Assert.Equal(1, await server.CountAsync($"SELECT uniqExact(protocol) FROM `{_database}`.logs"));
        Assert.Equal("websocket", (await server.RunAsync($"SELECT any(protocol) FROM `{_database}`.logs")).Trim());
    }

    [ClickHouseFact]
    public async Task RedactedValuesNeverReachClickHouse()
    {
        await using var pipeline = await StartAsync();
        const string bearer = "Bearer abcdef0123456789SECRETTOKEN";
        const string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb2JvdCJ9.c2lnbmF0dXJlU0VDUkVU";
        const string password = "hunter2-SECRET-PASSWORD";
        var line = $$$"""{"ts":1750000000000,"robot_id":"r1","msg":"calling api with {{{bearer}}} and {{{jwt}}}","password":"{{{password}}}","nested":{"api_key":"KEY-SECRET-123","ok":"visible"}}""";

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await pipeline.StopAsync();

        var server = ClickHouseServer.Shared;
        var row = Assert.Single(await server.RowsAsync($"SELECT msg, attrs FROM `{_database}`.logs"));
        var everything = string.Join('\t', row);
        Assert.DoesNotContain("SECRETTOKEN", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("c2lnbmF0dXJlU0VDUkVU", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY-SECRET-123", everything, StringComparison.Ordinal);
        Assert.Contains("***", row[0], StringComparison.Ordinal);
        Assert.Contains("visible", row[1], StringComparison.Ordinal);
        Assert.Equal(0, await server.CountAsync($"SELECT count() FROM `{_database}`.logs WHERE position(msg, 'SECRET') > 0 OR position(attrs, 'SECRET') > 0"));
    }

    [ClickHouseFact]
    public async Task ReadyzShowsTheClickHouseSink()
    {
        await using var pipeline = await StartAsync();
        using var http = new HttpClient();

        var body = await http.GetStringAsync(new Uri(pipeline.HttpUri, "/readyz"));

        Assert.Contains("\"clickhouse\":\"healthy\"", body, StringComparison.Ordinal);
    }

    [ClickHouseFact]
    public async Task StartupFailsNamingTheColumnWhenTheTableDoesNotMatch()
    {
        var server = ClickHouseServer.Shared;
        await server.RunAsync($"CREATE DATABASE `{_database}`");
        await server.RunAsync($"CREATE TABLE `{_database}`.logs (ts DateTime, ts_ms Int64, received_at DateTime, received_at_ms String) ENGINE = MergeTree() ORDER BY ts_ms");

        var error = await Assert.ThrowsAsync<Pipeline.Storage.ClickHouse.ClickHouseSchemaException>(StartAsync);

        Assert.Contains("column 'received_at_ms' is String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownClickHouseSettingIsAConfigurationErrorNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<Pipeline.Ingest.Configuration.ConfigurationException>(() => TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Sinks:ClickHouse:ConnectionString"] = "http://127.0.0.1:1",
            ["Sinks:ClickHouse:BatchRows"] = "5",
            ["Sinks:ClickHouse:Table"] = "bad-name",
        }));

        Assert.Contains(error.Errors, e => e.StartsWith("Pipeline:Sinks:ClickHouse:BatchRows: unknown setting", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Pipeline:Sinks:ClickHouse:Table: must be a plain identifier", StringComparison.Ordinal));
    }

    private Task<TestPipeline> StartAsync() => TestPipeline.StartAsync(new Dictionary<string, string>
    {
        ["Sinks:ClickHouse:ConnectionString"] = ClickHouseServer.Shared.Url,
        ["Sinks:ClickHouse:Database"] = _database,
    });
}
