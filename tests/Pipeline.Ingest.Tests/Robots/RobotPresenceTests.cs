using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.WebSockets;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary>Presence: online while a session is open, one presence for several connections, a session number that only grows, offline on silence.</summary>
public sealed class RobotPresenceTests
{
    private static Task<TestPipeline> StartAsync(Dictionary<string, string>? settings = null, string? dataDir = null) =>
        TestPipeline.StartAsync(settings ?? [], dataDir: dataDir);

    [Fact]
    public async Task ARobotIsOnlineWhileItsSessionIsOpenAndEachNewSessionHasTheNextNumber()
    {
        await using var pipeline = await StartAsync();
        await using (var robot = await CommandedRobot.ConnectAsync(pipeline, "r1"))
        {
            await robot.ReceivedAsync("get_status"); // asked on connect: the session is attached
            var online = await RobotApi.RobotAsync(pipeline, "r1");
            Assert.True(online.GetProperty("online").GetBoolean());
            Assert.Equal(1, online.GetProperty("session").GetInt64());
            Assert.Equal(1, online.GetProperty("open_connections").GetInt32());
            Assert.Equal("websocket", online.GetProperty("protocol").GetString());
            Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robots_online"));
            await robot.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        var offline = await RobotApi.RobotAsync(pipeline, "r1");
        Assert.False(offline.GetProperty("online").GetBoolean());
        Assert.Equal(1, offline.GetProperty("session").GetInt64());
        Assert.Equal("eof", offline.GetProperty("offline_reason").GetString());
        Assert.Equal(0, await pipeline.ScrapeAsync("pipeline_robots_online"));

        await using (var again = await CommandedRobot.ConnectAsync(pipeline, "r1"))
        {
            await again.ReceivedAsync("get_status");
            Assert.Equal(2, (await RobotApi.RobotAsync(pipeline, "r1")).GetProperty("session").GetInt64());
        }
    }

    [Fact]
    public async Task TwoConnectionsOfOneRobotAreOnePresenceUntilTheLastCloses()
    {
        await using var pipeline = await StartAsync();
        await using var first = await CommandedRobot.ConnectAsync(pipeline, "r1");
        await first.ReceivedAsync("get_status");
        await using var second = await CommandedRobot.ConnectAsync(pipeline, "r1");
        await second.ReceivedAsync("get_status");

        var both = await RobotApi.RobotAsync(pipeline, "r1");
        Assert.Equal(2, both.GetProperty("open_connections").GetInt32());
        Assert.Equal(1, both.GetProperty("session").GetInt64());
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robots_online"));

        await first.CloseAsync();
        await pipeline.WaitForClosedConnectionsAsync(1);
        var one = await RobotApi.RobotAsync(pipeline, "r1");
        Assert.True(one.GetProperty("online").GetBoolean());
        Assert.Equal(1, one.GetProperty("session").GetInt64());

        await second.CloseAsync();
        await pipeline.WaitForClosedConnectionsAsync(2);
        Assert.False((await RobotApi.RobotAsync(pipeline, "r1")).GetProperty("online").GetBoolean());
        Assert.Equal(0, await pipeline.ScrapeAsync("pipeline_robots_online"));
    }

    [Fact]
    public async Task ASilentRobotIsClosedWith4408AndOfflineAfterOneAndAHalfIntervals()
    {
        await using var pipeline = await StartAsync(new() { ["Robots:HeartbeatInterval"] = "00:00:00.400" });
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "quiet");

        Assert.True(await robot.WaitClosedAsync());
        Assert.Equal((WebSocketCloseStatus)4408, robot.CloseStatus);
        await pipeline.WaitForClosedConnectionsAsync(1);
        var offline = await RobotApi.RobotAsync(pipeline, "quiet");
        Assert.False(offline.GetProperty("online").GetBoolean());
        Assert.Equal("heartbeat_timeout", offline.GetProperty("offline_reason").GetString());
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robot_offline_total{reason=\"heartbeat_timeout\"}"));
    }

    [Fact]
    public async Task ASilentTcpRobotIsClosedAndOffline()
    {
        await using var pipeline = await StartAsync(new() { ["Robots:HeartbeatInterval"] = "00:00:00.400" });
        using var tcp = await pipeline.ConnectTcpAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Ndjson.Bytes(Ndjson.Line("t1", "then silence")));

        // The server ends the connection: the read sees its end (or its reset).
        try
        {
            while (await stream.ReadAsync(new byte[64]) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        var offline = await RobotApi.RobotAsync(pipeline, "t1");
        Assert.False(offline.GetProperty("online").GetBoolean());
        Assert.Equal("heartbeat_timeout", offline.GetProperty("offline_reason").GetString());
    }

    [Fact]
    public async Task ARobotThatAnswersTheServersHeartbeatsStaysOnlinePastTheSilenceLimit()
    {
        await using var pipeline = await StartAsync(new() { ["Robots:HeartbeatInterval"] = "00:00:01" });
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "chatty", answerHeartbeats: true);
        await robot.HeartbeatAsync(3); // three intervals after connect: twice the silence limit

        Assert.Null(robot.CloseStatus);
        var online = await RobotApi.RobotAsync(pipeline, "chatty");
        Assert.True(online.GetProperty("online").GetBoolean());
        Assert.Equal(1, online.GetProperty("session").GetInt64());
    }

    [Fact]
    public async Task SessionNumbersAndKnownRobotsSurviveARestart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        // Stopped, not disposed, before the restart: disposing deletes the data directory.
        await using var first = await StartAsync(dataDir: dataDir);
        await using (var robot = await CommandedRobot.ConnectAsync(first, "r1"))
        {
            await robot.ReceivedAsync("get_status");
            await robot.CloseAsync();
        }

        await first.WaitForClosedConnectionsAsync(1);
        await first.StopAsync();
        Assert.True(File.Exists(Path.Combine(dataDir, "robots", "robots.json")), "no robots file written at shutdown");

        await using var restarted = await StartAsync(dataDir: dataDir);
        var known = await RobotApi.RobotAsync(restarted, "r1");
        Assert.False(known.GetProperty("online").GetBoolean());
        Assert.Equal(1, known.GetProperty("session").GetInt64());
        Assert.True(known.TryGetProperty("last_seen", out _));

        await using var again = await CommandedRobot.ConnectAsync(restarted, "r1");
        await again.ReceivedAsync("get_status");
        Assert.Equal(2, (await RobotApi.RobotAsync(restarted, "r1")).GetProperty("session").GetInt64());
    }

    [Fact]
    public async Task ATcpRobotBelongsToTheRobotIdOfItsFirstEventEvenWhenItClosesAtOnce()
    {
        await using var pipeline = await StartAsync();
        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("t1", "one line and gone")));

        var robot = await RobotApi.RobotAsync(pipeline, "t1");
        Assert.False(robot.GetProperty("online").GetBoolean());
        Assert.Equal(1, robot.GetProperty("session").GetInt64());
        Assert.Equal("tcp", robot.GetProperty("protocol").GetString());
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robot_sessions_total"));
    }

    [Fact]
    public async Task AHelloNamesTheRobotAndIsNotWrittenWhileARobotsHeartbeatIsAnEvent()
    {
        await using var pipeline = await StartAsync();
        using (var tcp = await pipeline.ConnectTcpAsync())
        {
            var stream = tcp.GetStream();
            await stream.WriteAsync(Ndjson.Bytes("{\"type\":\"hello\",\"robot_id\":\"h1\"}\n{\"type\":\"heartbeat\"}\n{\"msg\":\"after the hello\"}\n"));
            tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            while (await stream.ReadAsync(new byte[64]) > 0)
            {
            }
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        Assert.Equal(1, (await RobotApi.RobotAsync(pipeline, "h1")).GetProperty("session").GetInt64());
        await pipeline.StopAsync();
        var lines = pipeline.ReadLogLines().Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        // The heartbeat stays in the stream (absent rules watch it); the hello does not.
        Assert.Equal(["heartbeat", null], lines.Select(e => e.TryGetProperty("type", out var t) ? t.GetString() : null));
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robot_control_messages_total{type=\"hello\"}"));
    }

    [Fact]
    public async Task PastMaxRobotsTheLongestOfflineAreForgottenAndCounted()
    {
        await using var pipeline = await StartAsync(new() { ["Robots:MaxRobots"] = "100" });
        var sink = pipeline.Services.GetRequiredService<Pipeline.Ingest.Robots.RobotsSink>();
        string Lines(int from, int to) => string.Concat(Enumerable.Range(from, to - from + 1).Select(i => Ndjson.Line($"gw-{i:D3}", "relayed")));
        await pipeline.SendTcpAsync(Ndjson.Bytes(Lines(1, 100)));
        await sink.WaitForEventsAsync(100).WaitAsync(TimeSpan.FromSeconds(30));
        await pipeline.SendTcpAsync(Ndjson.Bytes(Lines(101, 150)));
        await sink.WaitForEventsAsync(150).WaitAsync(TimeSpan.FromSeconds(30));

        var (_, list) = await RobotApi.GetAsync(pipeline, "/api/robots");
        var ids = list.GetProperty("robots").EnumerateArray().Select(r => r.GetProperty("robot_id").GetString()).ToHashSet();
        Assert.InRange(ids.Count, 99, 100);
        Assert.True(await pipeline.ScrapeAsync("pipeline_robots_forgotten_total") >= 50);
        // The robots that spoke last are all kept: those forgotten were the longest silent.
        Assert.All(Enumerable.Range(101, 50), i => Assert.Contains($"gw-{i:D3}", ids));
    }

    [Fact]
    public async Task AnUnknownRobotIs404WithWhereToLook()
    {
        await using var pipeline = await StartAsync();
        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots/nobody");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("GET /api/robots", body.GetProperty("error").GetString());
    }
}
