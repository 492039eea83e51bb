using System.Net.Sockets;
using System.Text;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>With <c>Pipeline:Auth:RobotTokensPath</c> set, a TCP robot's first line is a hello with its token; a refused one gets an error line and the close, and nothing it sent is kept.</summary>
public sealed class AuthRobotTcpTests : IDisposable
{
    private const string Token = "r1-secret-token";
    private readonly TempDirectory _directory = new();
    private readonly string _robotTokens;

    public AuthRobotTcpTests()
    {
        _robotTokens = _directory.Write("robots.json", TokensFile.Json(("r1", Token)));
    }

    public void Dispose() => _directory.Dispose();

    private Task<TestPipeline> StartAsync() => TestPipeline.StartAsync(new Dictionary<string, string> { ["Auth:RobotTokensPath"] = _robotTokens });

    /// <summary>Sends, half-closes, and returns everything the server wrote before it closed.</summary>
    private static async Task<string> ExchangeAsync(TestPipeline pipeline, string payload)
    {
        using var client = await pipeline.ConnectTcpAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(payload));
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static string Hello(string robot, string token) => $"{{\"type\":\"hello\",\"robot_id\":\"{robot}\",\"token\":\"{token}\"}}\n";

    [Fact]
    public async Task AHelloWithTheRightTokenLetsTheEventsInAndIsNotAnEvent()
    {
        await using var pipeline = await StartAsync();
        Assert.Equal("", await ExchangeAsync(pipeline, Hello("r1", Token) + Ndjson.Line("r1", "one") + Ndjson.Line("r1", "two")));
        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();
        Assert.Equal(["one", "two"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public async Task AWrongTokenGetsAnErrorLineAndNothingIsWritten()
    {
        await using var pipeline = await StartAsync();
        var answer = await ExchangeAsync(pipeline, Hello("r1", "wrong") + Ndjson.Line("r1", "sneaky"));
        Assert.Equal("{\"type\":\"error\",\"error\":\"invalid token\"}\n", answer);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("tcp", "bad_token").Value);
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "auth"));
        await pipeline.StopAsync();
        Assert.Empty(pipeline.ReadLogLines());
    }

    [Fact]
    public async Task AnEventInsteadOfAHelloIsRefusedSayingWhatTheFirstLineMustBe()
    {
        await using var pipeline = await StartAsync();
        var answer = await ExchangeAsync(pipeline, Ndjson.Line("r1", "no hello"));
        Assert.Contains("the first line must be", answer, StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("tcp", "missing_token").Value);
        await pipeline.StopAsync();
        Assert.Empty(pipeline.ReadLogLines());
    }

    [Fact]
    public async Task AHelloThatIsNotJsonIsRefused()
    {
        await using var pipeline = await StartAsync();
        Assert.Contains("the first line must be", await ExchangeAsync(pipeline, "hello r1 " + Token + "\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHelloWithoutATokenIsRefusedSayingHowToSendOne()
    {
        await using var pipeline = await StartAsync();
        var answer = await ExchangeAsync(pipeline, "{\"type\":\"hello\",\"robot_id\":\"r1\"}\n");
        Assert.Contains("no token", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APeerThatClosesBeforeItsHelloIsRefusedAndCounted()
    {
        await using var pipeline = await StartAsync();
        Assert.Contains("closed before the hello", await ExchangeAsync(pipeline, "{\"type\":\"hel"), StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "auth"));
    }

    [Fact]
    public async Task AnOverLongFirstLineIsRefused()
    {
        await using var pipeline = await StartAsync();
        var answer = await ExchangeAsync(pipeline, new string('x', 10_000) + "\n");
        Assert.Contains("at most 4096 bytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAuthenticatedRobotSpeaksOnlyForItselfEventsWithoutRobotIdGetItsAndAnotherRobotsAreRefused()
    {
        await using var pipeline = await StartAsync();
        var payload = Hello("r1", Token) + "{\"msg\":\"no id\"}\n" + Ndjson.Line("r2", "impostor") + Ndjson.Line("r1", "mine");
        Assert.Equal("", await ExchangeAsync(pipeline, payload));
        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["no id", "mine"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("r1", e.RobotId));
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "parse", Pipeline.Blocks.DeadLetters.DiscardReasons.RobotIdMismatch));
        Assert.Contains(pipeline.ReadDeadLetters(), d => d.Contains("robot_id_mismatch", StringComparison.Ordinal) && d.Contains("impostor", StringComparison.Ordinal));
    }
}
