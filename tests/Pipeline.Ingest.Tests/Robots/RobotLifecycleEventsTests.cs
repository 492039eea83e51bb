using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Alerts;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary>Connection, security and presence events go into the stream as ordinary events (protocol internal), with what a person needs to read them.</summary>
public sealed class RobotLifecycleEventsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static Task<TestPipeline> StartAsync(Dictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string> { ["Robots:LifecycleEvents"] = "true", ["Robots:AskOnConnect"] = "false" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return TestPipeline.StartAsync(all);
    }

    private static JsonElement Attrs(JsonElement e) => e.GetProperty("attrs");

    [Fact]
    public async Task AWebSocketSessionIsAttemptEstablishedOnlineClosedAndOfflineWithItsFigures()
    {
        await using var pipeline = await StartAsync();
        await using (var robot = await CommandedRobot.ConnectAsync(pipeline, "r1", userAgent: "robot-sdk/2.1"))
        {
            await RobotApi.WaitAttachedAsync(pipeline, "r1");
            await robot.SendAsync(Ndjson.Line("r1", "working") + Ndjson.Line("r1", "still working"));
            await robot.CloseAsync(WebSocketCloseStatus.NormalClosure, "going to sleep");
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        var events = RobotApi.LifecycleEvents(pipeline).Where(e => e.GetProperty("robot_id").GetString() == "r1").ToList();
        Assert.Equal(["connection_attempt", "connection_established", "robot_online", "connection_closed", "robot_offline"], events.Select(RobotApi.Event));
        Assert.All(events, e => Assert.Equal("internal", e.GetProperty("protocol").GetString()));

        var attempt = Attrs(events[0]);
        Assert.Equal("websocket", attempt.GetProperty("transport").GetString());
        Assert.Equal("robot-sdk/2.1", attempt.GetProperty("user_agent").GetString());
        Assert.StartsWith("127.0.0.1:", attempt.GetProperty("remote_addr").GetString());

        Assert.Equal("presence", events[2].GetProperty("type").GetString());
        Assert.Equal(1, Attrs(events[2]).GetProperty("session_number").GetInt64());

        var closed = events[3];
        Assert.Equal("connection", closed.GetProperty("type").GetString());
        Assert.Equal(1000, Attrs(closed).GetProperty("code").GetInt32());
        Assert.Equal("eof", Attrs(closed).GetProperty("reason").GetString());
        Assert.Equal("going to sleep", Attrs(closed).GetProperty("description").GetString());
        Assert.Equal(2, Attrs(closed).GetProperty("events").GetInt64());
        Assert.True(Attrs(closed).GetProperty("bytes").GetInt64() > 0);
        Assert.True(Attrs(closed).GetProperty("duration_ms").GetDouble() >= 0);
        Assert.Equal("robot-sdk/2.1", Attrs(closed).GetProperty("user_agent").GetString());

        // The robot's traffic is its own two events, not the service's five about it.
        Assert.Equal(2, pipeline.Services.GetRequiredService<Pipeline.Ingest.Robots.RobotRegistry>().Find("r1")!.Events);

        var offline = events[4];
        Assert.Equal("WARNING", offline.GetProperty("level").GetString());
        Assert.Equal("eof", Attrs(offline).GetProperty("reason").GetString());
        Assert.Equal(1, Attrs(offline).GetProperty("session_number").GetInt64());
    }

    [Fact]
    public async Task ARefusedTokenIsAConnectionFailureAndASecurityEvent()
    {
        var tokens = _directory.Write("robots.json", TokensFile.Json(("r1", "right-token")));
        await using var pipeline = await StartAsync(new() { ["Auth:RobotTokensPath"] = tokens });
        using (var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=wrong-token"))
        {
            Assert.Equal((WebSocketCloseStatus)4401, await ws.ReceiveCloseAsync());
        }

        await pipeline.StopAsync();
        var events = RobotApi.LifecycleEvents(pipeline);
        Assert.Equal(["connection_attempt", "auth_failed", "connection_failed"], events.Select(RobotApi.Event));
        var security = events[1];
        Assert.Equal("security", security.GetProperty("type").GetString());
        Assert.Equal("WARNING", security.GetProperty("level").GetString());
        Assert.Equal("bad_token", Attrs(security).GetProperty("reason").GetString());
        Assert.Equal("r1", security.GetProperty("robot_id").GetString());
        Assert.Equal("invalid token", Attrs(events[2]).GetProperty("reason").GetString());
        Assert.DoesNotContain("wrong-token", string.Join("\n", pipeline.ReadLogLines()));
    }

    [Fact]
    public async Task AWrongOpsTokenIsASecurityEventAndAMissingOneIsNot()
    {
        var tokens = _directory.Write("ops.json", TokensFile.Json(("alice", "alice-ops-token")));
        await using var pipeline = await StartAsync(new() { ["Auth:OpsTokensPath"] = tokens });
        using (var client = HttpProbe.Client(pipeline))
        {
            using var none = await client.GetAsync("/api/robots");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, none.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/robots");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "guessed-token");
            using var wrong = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        await pipeline.StopAsync();
        var security = Assert.Single(RobotApi.LifecycleEvents(pipeline));
        Assert.Equal("security", security.GetProperty("type").GetString());
        Assert.Equal("http", Attrs(security).GetProperty("transport").GetString());
        Assert.Equal("ops_token", Attrs(security).GetProperty("reason").GetString());
        Assert.Contains("GET /api/robots", security.GetProperty("msg").GetString());
        Assert.DoesNotContain("guessed-token", string.Join("\n", pipeline.ReadLogLines()));
    }

    [Fact]
    public async Task AConnectionOverTheLimitIsAConnectionFailure()
    {
        await using var pipeline = await StartAsync(new() { ["Ingest:MaxConnections"] = "1" });
        using var first = await pipeline.ConnectTcpAsync();
        await first.GetStream().WriteAsync(Ndjson.Bytes(Ndjson.Line("t1", "holding the slot")));
        await RobotApi.WaitAttachedAsync(pipeline, "t1");
        using (var second = await pipeline.ConnectTcpAsync())
        {
            var stream = second.GetStream();
            while (await stream.ReadAsync(new byte[256]) > 0)
            {
            }
        }

        first.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        var failed = RobotApi.LifecycleEvents(pipeline).Single(e => RobotApi.Event(e) == "connection_failed");
        Assert.Equal("too many connections", Attrs(failed).GetProperty("reason").GetString());
        Assert.Equal("tcp", Attrs(failed).GetProperty("transport").GetString());
    }

    [Fact]
    public async Task ARobotOfflineRuleFiresOnTheRobotsOfflineEvent()
    {
        await using var pipeline = await StartAsync(new()
        {
            ["Alerts:Rules:0:Name"] = "robot_offline",
            ["Alerts:Rules:0:Kind"] = "attribute",
            ["Alerts:Rules:0:Match:Types:0"] = "presence",
            ["Alerts:Rules:0:Condition"] = "event == \"robot_offline\"",
            ["Alerts:Rules:0:GroupBy:0"] = "robot_id",
        });
        await using (var robot = await CommandedRobot.ConnectAsync(pipeline, "r1"))
        {
            await RobotApi.WaitAttachedAsync(pipeline, "r1");
            await robot.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync(); // the graph drained: the alert block has seen robot_offline
        var alerts = pipeline.Services.GetRequiredService<AlertBlock>();
        alerts.Tick();

        var alert = Assert.Single(alerts.Active());
        Assert.Equal("robot_offline", alert.Rule);
        Assert.Equal("r1", alert.Labels["robot_id"]);
        // Without For it fires at once; a firing alert of a robot that is away is held as offline, not resolved.
        Assert.Contains(alert.State, new[] { AlertState.Firing, AlertState.Offline });
    }

    [Fact]
    public async Task WithLifecycleEventsOffNothingButTheRobotsEventsIsWritten()
    {
        await using var pipeline = await StartAsync(new() { ["Robots:LifecycleEvents"] = "false" });
        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("t1", "only this")));
        await pipeline.StopAsync();
        Assert.Equal(["only this"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }
}
