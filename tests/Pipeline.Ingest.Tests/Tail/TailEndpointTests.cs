using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Tail;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary>The tail's contract over real HTTP and WebSocket: drops told per viewer, the subscriber limit, bad parameters, auth.</summary>
public sealed class TailEndpointTests : IDisposable
{
    private const string Token = "ops-token-for-tail";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static byte[] Events(int count, string robot = "r1")
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append("{\"robot_id\":\"").Append(robot).Append("\",\"msg\":\"event ").Append(i).Append(" with some padding to fill the socket\"}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static TailHub Hub(TestPipeline pipeline) => pipeline.Services.GetRequiredService<TailHub>();

    [Fact]
    public async Task AViewerThatDoesNotReadIsToldHowManyItMissedAndTheFilesGetEveryEvent()
    {
        const int total = 20_000;
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Tail:BufferEvents"] = "16" });
        // A viewer with a small socket buffer that reads nothing until every event went through, so its buffers fill.
        // Through HttpClient: the response is chunked, and a raw socket's lines would have chunk sizes in them.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync(new Uri(pipeline.HttpUri, "/api/tail"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a count that never adds up fails, it does not hang
        while (await reader.ReadLineAsync(limit.Token) is { } line && line != ": subscribed")
        {
        }

        await pipeline.SendTcpAsync(Events(total));
        // The tail took every event while the viewer read nothing: it did not wait for it.
        await Hub(pipeline).WaitForEventsAsync(total).WaitAsync(TimeSpan.FromSeconds(60));
        var dropped = await pipeline.ScrapeAsync("pipeline_tail_dropped_events_total");
        Assert.True(dropped > 0, "the viewer that did not read missed events");

        // What the viewer reads now: events and drop counts that add up to everything it matched.
        long events = 0, told = 0;
        string? name = null;
        while (events + told < total && await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "event")
            {
                events++;
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "dropped")
            {
                using var d = JsonDocument.Parse(line[6..]);
                told += d.RootElement.GetProperty("dropped").GetInt64();
            }
        }

        Assert.Equal(total, events + told);
        Assert.Equal(dropped, told);
        await pipeline.StopAsync();
        Assert.Equal(total, pipeline.ReadLogLines().Count); // and the files got every event
    }

    [Fact]
    public async Task PastTheSubscriberLimitTheTailAnswers429NamingTheLimitAndTheSetting()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Tail:MaxSubscribers"] = "2" });
        await using var first = await SseTail.OpenAsync(pipeline);
        await using var second = await SseTail.OpenAsync(pipeline, "?robot=r1");

        await using var third = await SseTail.OpenAsync(pipeline);

        Assert.Equal(HttpStatusCode.TooManyRequests, third.Status);
        using var body = await third.ErrorBodyAsync();
        Assert.Equal("too many tail subscribers: the limit is 2 (Pipeline:Tail:MaxSubscribers); close one or raise the setting.",
            body.RootElement.GetProperty("error").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("limit").GetInt32());
        Assert.Equal("Pipeline:Tail:MaxSubscribers", body.RootElement.GetProperty("setting").GetString());
    }

    [Fact]
    public async Task AViewerThatLeavesFreesItsPlace()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Tail:MaxSubscribers"] = "1" });
        var first = await SseTail.OpenAsync(pipeline);
        await first.DisposeAsync();
        // The server sees the viewer gone at its next write: an event makes one.
        while (Hub(pipeline).Count > 0)
        {
            await pipeline.SendTcpAsync(Events(1));
        }

        await using var second = await SseTail.OpenAsync(pipeline);
        Assert.Equal(HttpStatusCode.OK, second.Status);
    }

    [Theory]
    [InlineData("?level=loud", "level")]
    [InlineData("?sample=0", "sample")]
    [InlineData("?sample=many", "sample")]
    [InlineData("?template_id=abc", "template_id")]
    [InlineData("?template_id=-1", "template_id")]
    [InlineData("?robot=", "robot")]
    [InlineData("?robot=r1&robot=r2", "robot")]
    [InlineData("?regex=maybe&grep=x", "regex")]
    [InlineData("?regex=true", "regex")]
    [InlineData("?grep=%2F(a%2F", "grep")] // /(a/
    [InlineData("?grep=%2F(%3F%3C%3Da)b%2F", "grep")] // /(?<=a)b/: a lookbehind
    [InlineData("?robots=r1", "robots")]
    public async Task ABadParameterIs400NamingIt(string query, string parameter)
    {
        await using var pipeline = await TestPipeline.StartAsync();

        await using var tail = await SseTail.OpenAsync(pipeline, query);

        Assert.Equal(HttpStatusCode.BadRequest, tail.Status);
        using var body = await tail.ErrorBodyAsync();
        Assert.Equal(parameter, body.RootElement.GetProperty("parameter").GetString());
        Assert.Contains($"'{parameter}'", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, Hub(pipeline).Count);
    }

    [Fact]
    public async Task WithOpsTokensTheTailNeedsOne()
    {
        var tokens = _directory.Write("ops.json", TokensFile.Json(("alice", Token)));
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Auth:OpsTokensPath"] = tokens });

        await using var without = await SseTail.OpenAsync(pipeline);
        await using var wrong = await SseTail.OpenAsync(pipeline, token: "not-it");
        await using var with = await SseTail.OpenAsync(pipeline, "?robot=r1", Token);
        using var ws = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(TailWs(pipeline, ""), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, without.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(HttpStatusCode.OK, with.Status);
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes("{\"robot_id\":\"r1\",\"msg\":\"seen\"}\n"));
        using var e = JsonDocument.Parse(Assert.Single(await with.ReadEventsAsync(1)));
        Assert.Equal("seen", e.RootElement.GetProperty("msg").GetString());
    }

    private static Uri TailWs(TestPipeline pipeline, string query) => new($"ws://{pipeline.Http}/api/tail/ws{query}");

    [Fact]
    public async Task TheWebSocketSendsEachEventsLineAsATextFrame()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(TailWs(pipeline, "?robot=r2"), CancellationToken.None);
        await WaitForSubscribersAsync(pipeline, 1);

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes("{\"robot_id\":\"r1\",\"msg\":\"no\"}\n{\"robot_id\":\"r2\",\"msg\":\"yes\"}\n"));
        var frame = await ReceiveAsync(ws);
        await pipeline.StopAsync();

        Assert.Equal(pipeline.ReadLogLines()[1], frame);
    }

    [Fact]
    public async Task TheWebSocketTellsADroppedCountAsAFrame()
    {
        const int total = 20_000;
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Tail:BufferEvents"] = "16" });
        using var ws = new ClientWebSocket();
        ws.Options.SetBuffer(4096, 4096);
        await ws.ConnectAsync(TailWs(pipeline, ""), CancellationToken.None);
        await WaitForSubscribersAsync(pipeline, 1);

        await pipeline.SendTcpAsync(Events(total));
        await Hub(pipeline).WaitForEventsAsync(total).WaitAsync(TimeSpan.FromSeconds(60));

        long events = 0, told = 0;
        while (events + told < total && await ReceiveAsync(ws) is { } frame)
        {
            using var json = JsonDocument.Parse(frame);
            if (json.RootElement.TryGetProperty("type", out var type) && type.GetString() == "dropped")
            {
                told += json.RootElement.GetProperty("dropped").GetInt64();
                Assert.Equal(2, json.RootElement.EnumerateObject().Count());
            }
            else
            {
                events++;
            }
        }

        Assert.True(told > 0, "the viewer that did not read missed events");
        Assert.Equal(total, events + told);
    }

    [Fact]
    public async Task APlainRequestToTheWebSocketEndpointIs400()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/api/tail/ws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOpenViewerDoesNotHoldUpShutdown()
    {
        var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline);

        await pipeline.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await pipeline.DisposeAsync();

        Assert.Null(await tail.ReadAsync());
    }

    /// <summary>The viewer is registered before the upgrade is answered: once connected, it sees every event after.</summary>
    private static Task WaitForSubscribersAsync(TestPipeline pipeline, int count)
    {
        Assert.Equal(count, Hub(pipeline).Count);
        return Task.CompletedTask;
    }

    private static async Task<string?> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }
}
