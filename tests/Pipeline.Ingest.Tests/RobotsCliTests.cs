using System.Text.Json;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>
/// <c>pipeline robots list | show | command | stats</c>: the real CLI, as a process, against the real service with a
/// robot on a real WebSocket that answers the server's commands.
/// </summary>
public sealed class RobotsCliTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Task<PipelineCli.Result> RunAsync(TestPipeline pipeline, params string[] args) =>
        PipelineCli.RunAsync(_directory.Path, [.. args, "--url", pipeline.HttpUri.ToString()]);

    /// <summary>A robot whose session is attached: the server asks get_status only once it is.</summary>
    private static async Task<CommandedRobot> OnlineRobotAsync(TestPipeline pipeline, string robotId, Func<RobotCommand, RobotAnswer?>? answer = null)
    {
        var robot = await CommandedRobot.ConnectAsync(pipeline, robotId, answer ?? (command => RobotAnswer.Ok(new { command = command.Command })),
            answerHeartbeats: true);
        await robot.ReceivedAsync("get_status");
        return robot;
    }

    [Fact]
    public async Task ListShowsTheOnlineRobot()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1");

        var result = await RunAsync(pipeline, "robots", "list");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Equal(["ROBOT", "STATE", "SESSION", "LAST", "SEEN", "REMOTE", "EVENTS/H", "ERRORS/H"], Cells(lines[0]));
        var row = Cells(lines[2]);
        Assert.Equal(["r1", "online", "1"], row[..3]);
        Assert.Equal("ago", row[4]);
        Assert.StartsWith("127.0.0.1:", row[5], StringComparison.Ordinal);
        Assert.Equal("1 of 1 robot(s) online", lines[^1]);
    }

    [Fact]
    public async Task ListShowsARobotThatAnswersHeartbeatsAsStillOnline()
    {
        // Offline after 1.5 × 2 s without traffic: by the second heartbeat a robot that did not answer the first would be gone.
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:HeartbeatInterval"] = "00:00:02" });
        await using var robot = await OnlineRobotAsync(pipeline, "r1");
        await robot.HeartbeatAsync(2);

        var result = await RunAsync(pipeline, "robots", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["r1", "online", "1"], Cells(result.StdOut.Split('\n')[2])[..3]);
    }

    [Fact]
    public async Task ListJsonIsTheApiBody()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1");

        var result = await RunAsync(pipeline, "robots", "list", "--json");

        Assert.Equal(0, result.ExitCode);
        using var body = JsonDocument.Parse(result.StdOut);
        Assert.Equal(1, body.RootElement.GetProperty("online").GetInt32());
        Assert.Equal(1, body.RootElement.GetProperty("total").GetInt32());
        var r1 = Assert.Single(body.RootElement.GetProperty("robots").EnumerateArray());
        Assert.Equal("r1", r1.GetProperty("robot_id").GetString());
        Assert.True(r1.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task ListOfAnEmptyFleetSaysSo()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var result = await RunAsync(pipeline, "robots", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("no robots have connected yet", result.StdOut.Trim());
    }

    [Fact]
    public async Task ListSaysWhenNoServiceIsThere()
    {
        var result = await PipelineCli.RunAsync(_directory.Path, "robots", "list", "--url", "http://127.0.0.1:9");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("pipeline robots list: cannot reach http://127.0.0.1:9/api/robots", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task ShowOfAnUnknownRobotExits1WithTheServiceError()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var result = await RunAsync(pipeline, "robots", "show", "ghost");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("pipeline robots show: no robot 'ghost': it has not connected since the data directory was made " +
            "(GET /api/robots lists the known ones).", result.StdErr.TrimEnd());
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task ShowPrintsTheRobotItsConnectionAndItsState()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1", c => RobotAnswer.Ok(new { battery = 87 }));
        // Answered through the API, so the service has stored the status by the time the CLI exits.
        Assert.Equal(0, (await RunAsync(pipeline, "robots", "command", "r1", "get_status")).ExitCode);

        var result = await RunAsync(pipeline, "robots", "show", "r1");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("robot:              r1", lines);
        Assert.Contains("state:              online", lines);
        Assert.Contains("session:            1", lines);
        Assert.Contains(lines, l => l.StartsWith("remote:             127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("(websocket)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("commands:           ", StringComparison.Ordinal) && l.Contains(" failed, 0 timed out", StringComparison.Ordinal));
        var connection = Cells(lines[lines.IndexOf("connections:") + 3]);
        Assert.Equal("websocket", connection[1]);
        var status = Cells(lines.Single(l => l.StartsWith("status ", StringComparison.Ordinal)));
        Assert.Equal("command", status[^1]); // fresh: no stale mark after the source
    }

    [Fact]
    public async Task CommandPrintsTheRobotsResult()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1", c => c.Command == "move"
            ? RobotAnswer.Ok(new { moved = c.Params.GetProperty("distance").GetDouble(), unit = "m" })
            : RobotAnswer.Ok(new { }));

        var result = await RunAsync(pipeline, "robots", "command", "r1", "move", "--params", "{\"distance\":2.5}", "--timeout", "5s");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var move = await robot.ReceivedAsync("move");
        Assert.Equal(2.5, move.Params.GetProperty("distance").GetDouble());
        var output = result.StdOut.TrimEnd().Split('\n');
        using var printed = JsonDocument.Parse(string.Join('\n', output[..^1]));
        Assert.Equal(2.5, printed.RootElement.GetProperty("moved").GetDouble());
        Assert.Equal("m", printed.RootElement.GetProperty("unit").GetString());
        Assert.Matches(@"^answered in \d+(\.\d+)? ms \(sent in \d+(\.\d+)? ms\)$", output[^1]);
    }

    [Fact]
    public async Task CommandJsonIsTheApiBody()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1");

        var result = await RunAsync(pipeline, "robots", "command", "r1", "dock", "--json");

        Assert.Equal(0, result.ExitCode);
        using var body = JsonDocument.Parse(result.StdOut);
        Assert.Equal("answered", body.RootElement.GetProperty("outcome").GetString());
        Assert.True(body.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal("dock", body.RootElement.GetProperty("result").GetProperty("command").GetString());
    }

    [Fact]
    public async Task CommandTheRobotFailsExits1WithTheRobotsError()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1", c => c.Command == "move" ? RobotAnswer.Failed("obstacle ahead") : RobotAnswer.Ok(new { }));

        var result = await RunAsync(pipeline, "robots", "command", "r1", "move");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("pipeline robots command: robot r1 failed move: obstacle ahead", result.StdErr.TrimEnd());
    }

    [Fact]
    public async Task CommandToAnUnknownRobotExits1WithTheConflictText()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var result = await RunAsync(pipeline, "robots", "command", "ghost", "get_status");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("pipeline robots command: robot ghost is offline", result.StdErr.TrimEnd());
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task CommandToARobotThatLeavesBeforeAnsweringExits1WithTheConflictText()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1", c => c.Command == "hang" ? null : RobotAnswer.Ok(new { }));

        var command = RunAsync(pipeline, "robots", "command", "r1", "hang", "--timeout", "1m");
        await robot.ReceivedAsync("hang");
        await robot.CloseAsync();
        var result = await command;

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("pipeline robots command: robot r1's session 1 ended before it answered", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandTheRobotDoesNotAnswerInTimeExits1WithTheTimeoutText()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1", c => c.Command == "hang" ? null : RobotAnswer.Ok(new { }));

        var result = await RunAsync(pipeline, "robots", "command", "r1", "hang", "--timeout", "300ms");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("pipeline robots command: robot r1 did not answer hang within 0.3 s", result.StdErr.TrimEnd());
        Assert.Equal("hang", (await robot.ReceivedAsync("hang")).Command);
    }

    [Theory]
    [InlineData("[1,2]", "--params must be a JSON object such as '{\"speed\":0.5}', not a JSON array")]
    [InlineData("{\"speed\":", "--params must be a JSON object such as '{\"speed\":0.5}' (got '{\"speed\":':")]
    public async Task CommandWithParamsThatAreNotAJsonObjectExits2(string parameters, string message)
    {
        // Refused before anything is sent: no service is needed.
        var result = await PipelineCli.RunAsync(_directory.Path, "robots", "command", "r1", "move", "--params", parameters, "--url", "http://127.0.0.1:9");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pipeline robots command: " + message, result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandWithABadTimeoutExits2()
    {
        var result = await PipelineCli.RunAsync(_directory.Path, "robots", "command", "r1", "move", "--timeout", "10 minutes", "--url", "http://127.0.0.1:9");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pipeline robots command: --timeout must be a duration like 10s", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsPrintsTheRobotsRow()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var robot = await OnlineRobotAsync(pipeline, "r1");

        var result = await RunAsync(pipeline, "robots", "stats");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("robots:             1 known, 1 online", lines);
        Assert.Contains(lines, l => l.StartsWith("connections:        1 total, 1 active, 0 failed", StringComparison.Ordinal));
        var header = lines.FindIndex(l => l.StartsWith("ROBOT ", StringComparison.Ordinal));
        Assert.Equal(["ROBOT", "EVENTS", "EVENTS/H", "CONNECTIONS", "COMMANDS", "AVG", "SEND", "MS", "AVG", "EXEC", "MS"], Cells(lines[header]));
        var row = Cells(lines[header + 2]);
        Assert.Equal("r1", row[0]);
        Assert.Equal("1", row[3]); // one connection
        Assert.Equal(header + 3, lines.Count);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
