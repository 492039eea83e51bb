using System.Net.WebSockets;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>With <c>Pipeline:Auth:RobotTokensPath</c> set, a WebSocket robot needs its token; a refused one is closed with 4401, counted, and nothing it sends is kept.</summary>
public sealed class AuthRobotWebSocketTests : IDisposable
{
    private const string Token = "r1-secret-token";
    private readonly TempDirectory _directory = new();
    private readonly string _robotTokens;

    public AuthRobotWebSocketTests()
    {
        _robotTokens = _directory.Write("robots.json", TokensFile.Json(("r1", Token)));
    }

    public void Dispose() => _directory.Dispose();

    private Task<TestPipeline> StartAsync(int maxFailures = 5) => TestPipeline.StartAsync(new Dictionary<string, string>
    {
        ["Auth:RobotTokensPath"] = _robotTokens,
        ["Auth:MaxFailures"] = maxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static double Failures(TestPipeline pipeline, string reason) =>
        pipeline.Metrics.AuthFailures.WithLabels("websocket", reason).Value;

    [Fact]
    public async Task ARobotWithItsBearerTokenIsLetInAndItsEventsAreWritten()
    {
        await using var pipeline = await StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline, o => o.SetRequestHeader("Authorization", "Bearer " + Token), "?robot_id=r1"))
        {
            await ws.SendTextAsync(Ndjson.Line("r1", "hello"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        Assert.Equal(["hello"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections_rejected_total", "websocket", "auth"));
    }

    [Fact]
    public async Task ATokenInTheQueryWorksForClientsThatCannotSetHeaders()
    {
        await using var pipeline = await StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=" + Token))
        {
            await ws.SendTextAsync(Ndjson.Line("r1", "from the query"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        Assert.Equal(["from the query"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public async Task AWrongTokenIsClosedWith4401AndCounted()
    {
        await using var pipeline = await StartAsync();
        using var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=wrong");
        Assert.Equal((WebSocketCloseStatus)4401, await ws.ReceiveCloseAsync());
        Assert.Equal("invalid token", ws.Socket.CloseStatusDescription);
        Assert.Equal(1, Failures(pipeline, "bad_token"));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "websocket", "auth"));
    }

    [Fact]
    public async Task ATokenOfAnotherRobotIsRefused()
    {
        await using var pipeline = await StartAsync();
        using var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r2&token=" + Token);
        Assert.Equal((WebSocketCloseStatus)4401, await ws.ReceiveCloseAsync());
        Assert.Equal(1, Failures(pipeline, "unknown_robot"));
    }

    [Fact]
    public async Task NoTokenIsRefusedSayingHowToSendOneAndDoesNotCountTowardsABlock()
    {
        await using var pipeline = await StartAsync(maxFailures: 1);
        using (var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1"))
        {
            // Without a token in the header or the query the first message must be a hello with it; an event is not.
            await ws.SendTextAsync(Ndjson.Line("r1", "no token anywhere"));
            Assert.Equal((WebSocketCloseStatus)4401, await ws.ReceiveCloseAsync());
            Assert.Contains("Authorization: Bearer", ws.Socket.CloseStatusDescription, StringComparison.Ordinal);
            Assert.Contains("hello", ws.Socket.CloseStatusDescription, StringComparison.Ordinal);
        }

        Assert.Equal(1, Failures(pipeline, "missing_token"));
        using var good = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=" + Token);
        await good.CloseAsync();
        Assert.Equal(0, Failures(pipeline, "blocked"));
    }

    [Fact]
    public async Task AHelloWithTheTokenAsTheFirstMessageLetsTheRobotInAndIsNotAnEvent()
    {
        await using var pipeline = await StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            // The hello and the first events in one message, more events in the next.
            await ws.SendTextAsync($"{{\"type\":\"hello\",\"robot_id\":\"r1\",\"token\":\"{Token}\"}}\n" + Ndjson.Line("r1", "first") + "{\"msg\":\"second\"}");
            await ws.SendTextAsync(Ndjson.Line("r1", "third"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["first", "second", "third"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("r1", e.RobotId)); // "second" had no robot_id: it got the hello's
        Assert.DoesNotContain(Token, string.Join("\n", pipeline.ReadLogLines()));
    }

    [Fact]
    public async Task AHelloWithAWrongTokenOrAnotherRobotsIdIsClosedWith4401()
    {
        await using var pipeline = await StartAsync();
        using (var wrong = await WsPeer.ConnectAsync(pipeline))
        {
            await wrong.SendTextAsync("{\"type\":\"hello\",\"robot_id\":\"r1\",\"token\":\"guess\"}");
            Assert.Equal((WebSocketCloseStatus)4401, await wrong.ReceiveCloseAsync());
            Assert.Equal("invalid token", wrong.Socket.CloseStatusDescription);
        }

        using (var other = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r2"))
        {
            await other.SendTextAsync($"{{\"type\":\"hello\",\"robot_id\":\"r1\",\"token\":\"{Token}\"}}");
            Assert.Equal((WebSocketCloseStatus)4401, await other.ReceiveCloseAsync());
            Assert.Contains("?robot_id=", other.Socket.CloseStatusDescription, StringComparison.Ordinal);
        }

        await pipeline.StopAsync();
        Assert.Empty(LoggedEvent.ReadAll(pipeline));
        Assert.Equal(1, Failures(pipeline, "bad_token"));
    }

    [Fact]
    public async Task NoRobotIdIsRefused()
    {
        await using var pipeline = await StartAsync();
        using var ws = await WsPeer.ConnectAsync(pipeline, query: "?token=" + Token);
        Assert.Equal((WebSocketCloseStatus)4401, await ws.ReceiveCloseAsync());
        Assert.Contains("robot_id", ws.Socket.CloseStatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterMaxFailuresTheAddressIsBlockedEvenWithTheRightToken()
    {
        await using var pipeline = await StartAsync(maxFailures: 2);
        for (var i = 0; i < 2; i++)
        {
            using var bad = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=guess" + i);
            Assert.Equal((WebSocketCloseStatus)4401, await bad.ReceiveCloseAsync());
        }

        using var good = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=" + Token);
        Assert.Equal((WebSocketCloseStatus)4401, await good.ReceiveCloseAsync());
        Assert.StartsWith("too many failed attempts", good.Socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Equal(1, Failures(pipeline, "blocked"));
    }

    [Fact]
    public async Task WithoutRobotTokensRobotsNeedNoToken()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("r9", "open door"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        Assert.Equal(["open door"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public async Task AnAuthenticatedWebSocketRobotCannotSendAsAnotherRobot()
    {
        await using var pipeline = await StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline, query: "?robot_id=r1&token=" + Token))
        {
            await ws.SendTextAsync(Ndjson.Line("r2", "impostor") + Ndjson.Line("r1", "mine"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        Assert.Equal(["mine"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "parse", Pipeline.Blocks.DeadLetters.DiscardReasons.RobotIdMismatch));
    }
}
