using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Graph;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><c>ws://…/ingest</c> over real WebSockets (ClientWebSocket) to the real service.</summary>
public sealed class WebSocketIngestEndpointTests
{
    [Fact]
    public async Task TextFramesWithOneLineEachAreEventsWithProtocolWebsocket()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "one"));
            await ws.SendTextAsync(Ndjson.Line("w", "two"));
            await ws.SendTextAsync(Ndjson.Line("w", "three"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["one", "two", "three"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("websocket", e.Protocol));
        Assert.Equal(3, pipeline.Metric("pipeline_ingest_events_total", "websocket"));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "websocket", "eof"));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task TextFrameWithSeveralLinesIsOneEventPerLine()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "a") + "{\"robot_id\":\"w\",\"msg\":\"b\"}\r\n" + Ndjson.Line("w", "c"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["a", "b", "c"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("websocket", e.Protocol));
    }

    [Fact]
    public async Task MessageWithoutTrailingNewlineEndsItsLine()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync("{\"robot_id\":\"w\",\"msg\":\"first\"}");
            await ws.SendTextAsync("{\"robot_id\":\"w\",\"msg\":\"second\"}");
            await ws.SendTextAsync(Ndjson.Line("w", "third") + "{\"robot_id\":\"w\",\"msg\":\"fourth\"}");
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        Assert.Equal(["first", "second", "third", "fourth"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(0, pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.MalformedJson));
        Assert.Equal(0, pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.EmptyLine));
    }

    [Fact]
    public async Task LineSplitAcrossTwoFramesOfOneMessageIsOneEvent()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync("{\"robot_id\":\"w\",\"ms", endOfMessage: false);
            await ws.SendTextAsync("g\":\"joined\"}", endOfMessage: true);
            await ws.SendTextAsync(Ndjson.Line("w", "x") + "{\"robot_id\":\"w\",", endOfMessage: false);
            await ws.SendTextAsync("\"msg\":\"y\"}\n", endOfMessage: true);
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        Assert.Equal(["joined", "x", "y"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(0, pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.MalformedJson));
    }

    [Fact]
    public async Task MessageLargerThanTheReceiveBufferIsFramedWhole()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            text.Append(Ndjson.Line("w", $"bulk {i}"));
        }

        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(text.ToString());
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"bulk {i}"), events.Select(e => e.Msg));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task SingleLineOnAnOpenWebSocketReachesTheGraphWithoutMoreInput()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(sink));
        using var ws = await WsPeer.ConnectAsync(pipeline);

        await ws.SendTextAsync(Ndjson.Line("w", "alone"));
        await sink.WaitForMessagesAsync("alone");

        Assert.Equal(0, pipeline.ClosedCount);
        Assert.Equal("websocket", Assert.Single(sink.Events).Protocol);
    }

    [Fact]
    public async Task BinaryFrameClosesTheSocketWith1003AndIsCountedAndDeadLettered()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);

        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "before"));
            await ws.SendBinaryAsync([0x01, 0x02, 0xFF, 0x7B]);
            Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await ws.ReceiveCloseAsync());
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.BinaryFrame));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "websocket", DiscardReasons.BinaryFrame));
        var before = Assert.Single(events, e => e.RobotId == "w");
        Assert.Equal(("before", "websocket"), (before.Msg, before.Protocol));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal(("ingest", DiscardReasons.BinaryFrame, "websocket"), (letter.Component, letter.Reason, letter.Protocol));
        Assert.Equal(new byte[] { 0x01, 0x02, 0xFF, 0x7B }, letter.FirstBytes);
    }

    [Fact]
    public async Task InvalidUtf8InATextFrameClosesWith1007AndIsCountedAsInvalidUtf8()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);

        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "before"));
            // RFC 6455 makes the server fail the connection (1007); the discard must still be counted
            // with its reason, not look like a network drop.
            byte[] bad = [.. "{\"robot_id\":\"w\",\"msg\":\""u8, 0xFF, 0xFE, .. "\"}\n"u8];
            await ws.Socket.SendAsync(bad, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            // The server sends 1007 but then aborts the connection, so the client may see a reset first.
            var status = await ws.TryReceiveCloseAsync();
            Assert.True(status is null or WebSocketCloseStatus.InvalidPayloadData, $"closed with {status}");
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(["before"], events.Where(e => e.RobotId == "w").Select(e => e.Msg));
        var invalidUtf8 =
            pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.InvalidUtf8) +
            pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.InvalidUtf8);
        Assert.Equal(1, invalidUtf8);
    }

    [Fact]
    public async Task MalformedJsonInATextFrameIsCountedAndTheSocketGoesOn()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using (var ws = await WsPeer.ConnectAsync(pipeline))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "before"));
            await ws.SendTextAsync("{\"robot_id\":\"w\",\"msg\":\n");
            await ws.SendTextAsync(Ndjson.Line("w", "after"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.MalformedJson));
        Assert.Equal(["before", "after"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal(("parse", DiscardReasons.MalformedJson, "websocket"), (letter.Component, letter.Reason, letter.Protocol));
    }

    [Fact]
    public async Task QuietWebSocketIsClosedNormallyAfterTheIdleTimeout()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:IdleTimeout"] = "00:00:00.300" });
        using var ws = await WsPeer.ConnectAsync(pipeline);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await ws.ReceiveCloseAsync());
        await pipeline.WaitForClosedConnectionsAsync(1);

        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "websocket", "idle_timeout"));
        Assert.Equal("idle_timeout", Assert.Single(pipeline.ClosedConnections).Reason);
    }

    [Fact]
    public async Task WebSocketBeyondTheLimitIsRefusedWith503WhileOthersGoOn()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:MaxConnections"] = "2" });
        using var first = await WsPeer.ConnectAsync(pipeline);
        using var second = await WsPeer.ConnectAsync(pipeline);

        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(pipeline.WebSocketUri, CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.HttpStatusCode);
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "websocket", "limit"));
        Assert.Equal(2, pipeline.Metric("pipeline_ingest_connections", "websocket"));

        await first.SendTextAsync(Ndjson.Line("w1", "from first"));
        await second.SendTextAsync(Ndjson.Line("w2", "from second"));
        await first.CloseAsync();
        await second.CloseAsync();
        await pipeline.WaitForClosedConnectionsAsync(2);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["from first", "from second"], events.Select(e => e.Msg).Order());
        Assert.All(events, e => Assert.Equal("websocket", e.Protocol));
    }

    [Fact]
    public async Task RefusedUpgradeSaysWhyAndWhenToRetry()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:MaxConnections"] = "1" });
        using var first = await WsPeer.ConnectAsync(pipeline);

        // A raw upgrade request, so the refusal's headers and body can be read.
        using var client = HttpProbe.Client(pipeline);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ingest");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("Too many connections", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainGetOnIngestIsABadRequestThatSaysHowToConnect()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/ingest");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("WebSocket", body);
        Assert.Contains("/ingest", body);
        Assert.Contains("text frames", body);
        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections", "websocket"));
    }
}
