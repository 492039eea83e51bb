using System.Net;
using System.Text.Json;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary><c>POST /api/robots/{id}/commands</c>: the robot's answer, or 504 at the deadline, 409 at once when offline or when its session ends, 429 past the in-flight limit.</summary>
public sealed class RobotCommandsTests
{
    /// <summary>No on-connect questions: these tests count the commands themselves.</summary>
    private static Task<TestPipeline> StartAsync(int maxInFlight = 8, int parsers = 2) => TestPipeline.StartAsync(new Dictionary<string, string>
    {
        ["Robots:AskOnConnect"] = "false",
        ["Robots:MaxCommandsInFlight"] = maxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Blocks:Parse:MaxDegreeOfParallelism"] = parsers.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary>Connects and waits until the robot's session has joined its presence.</summary>
    private static async Task<CommandedRobot> ConnectAsync(TestPipeline pipeline, string robotId, Func<RobotCommand, RobotAnswer?>? answer = null)
    {
        var robot = await CommandedRobot.ConnectAsync(pipeline, robotId, answer);
        await RobotApi.WaitAttachedAsync(pipeline, robotId);
        return robot;
    }

    [Fact]
    public async Task ACommandReturnsTheRobotsResultWithItsSendAndExecuteTimes()
    {
        await using var pipeline = await StartAsync();
        await using var robot = await ConnectAsync(pipeline, "r1", c =>
            c.Command == "move" ? RobotAnswer.Ok(new { moved_to = c.Params.GetProperty("x").GetInt32() }) : null);

        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"move\",\"params\":{\"x\":7},\"timeout\":\"5s\"}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("answered", body.GetProperty("outcome").GetString());
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(7, body.GetProperty("result").GetProperty("moved_to").GetInt32());
        Assert.Equal(1, body.GetProperty("session").GetInt64());
        Assert.True(body.GetProperty("send_ms").GetDouble() >= 0);
        Assert.True(body.GetProperty("execute_ms").GetDouble() >= 0);
        var sent = await robot.ReceivedAsync("move");
        Assert.Equal(body.GetProperty("command_id").GetString(), sent.CommandId);

        var (_, stats) = await RobotApi.GetAsync(pipeline, "/api/robots/stats");
        var commands = stats.GetProperty("per_robot").GetProperty("r1").GetProperty("commands");
        Assert.Equal(1, commands.GetProperty("sent").GetInt64());
        Assert.Equal(1, commands.GetProperty("succeeded").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, commands.GetProperty("avg_execute_ms").ValueKind);
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robot_commands_total{outcome=\"answered\"}"));
    }

    [Fact]
    public async Task ARobotThatReportsAFailureIsStill200WithItsError()
    {
        await using var pipeline = await StartAsync();
        await using var robot = await ConnectAsync(pipeline, "r1");
        var request = RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"dock\"}");
        var command = await robot.ReceivedAsync("dock");
        await robot.RespondAsync(command, RobotAnswer.Failed("battery too low to dock"));

        var (status, body) = await request;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("battery too low to dock", body.GetProperty("robot_error").GetString());
    }

    [Fact]
    public async Task NoAnswerWithinTheDeadlineIs504AndALateAnswerIsCounted()
    {
        await using var pipeline = await StartAsync(parsers: 1); // the late answer is handled before the next command's
        await using var robot = await ConnectAsync(pipeline, "r1");

        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"slow\",\"timeout\":\"300ms\"}");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("timeout", body.GetProperty("outcome").GetString());
        Assert.Contains("did not answer slow within 0.3 s", body.GetProperty("error").GetString());
        await robot.RespondAsync(await robot.ReceivedAsync("slow"), RobotAnswer.Ok(new { }));
        // The late answer is read by the parse block; a second command proves the first answer went through it.
        robot.Answer = _ => RobotAnswer.Ok(new { });
        Assert.Equal(HttpStatusCode.OK, (await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"ping\"}")).Status);
        Assert.Equal(1, await pipeline.ScrapeAsync("pipeline_robot_command_late_responses_total"));
    }

    [Fact]
    public async Task AMalformedCommandResponseIsCountedAndTheSessionGoesOn()
    {
        // One parser: a connection's lines are then handled in the order they came.
        await using var pipeline = await StartAsync(parsers: 1);
        await using var robot = await ConnectAsync(pipeline, "r1", c => c.Command == "ping" ? RobotAnswer.Ok("pong") : null);
        await robot.SendAsync("{\"type\":\"command_response\",\"success\":true}");                 // no command_id
        await robot.SendAsync("{\"type\":\"command_response\",\"command_id\":\"never-sent\"}");    // nobody waits for it
        await robot.SendAsync("{\"type\":\"command_response\",\"command_id\":7}");                 // not a string

        // The session still works, and the parse block handled the three before this command's answer.
        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"ping\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pong", body.GetProperty("result").GetString());
        Assert.Equal(3, await pipeline.ScrapeAsync("pipeline_robot_command_late_responses_total"));
        Assert.Equal(4, await pipeline.ScrapeAsync("pipeline_robot_control_messages_total{type=\"command_response\"}"));
    }

    [Fact]
    public async Task AnOfflineOrUnknownRobotIs409AtOnce()
    {
        await using var pipeline = await StartAsync();
        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/ghost/commands", "{\"command\":\"get_status\",\"timeout\":\"5m\"}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("offline", body.GetProperty("outcome").GetString());
        Assert.Equal("robot ghost is offline", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ASessionThatEndsWhileACommandWaitsIs409()
    {
        await using var pipeline = await StartAsync();
        var robot = await ConnectAsync(pipeline, "r1");
        var request = RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"reboot\",\"timeout\":\"1m\"}");
        await robot.ReceivedAsync("reboot");
        robot.Abort();

        var (status, body) = await request;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("session_ended", body.GetProperty("outcome").GetString());
        await robot.DisposeAsync();
    }

    [Fact]
    public async Task ATcpRobotIsOnlineButCannotTakeCommands()
    {
        await using var pipeline = await StartAsync();
        using var tcp = await pipeline.ConnectTcpAsync();
        await tcp.GetStream().WriteAsync(Ndjson.Bytes(Ndjson.Line("t1", "over tcp")));
        await RobotApi.WaitAttachedAsync(pipeline, "t1");

        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/t1/commands", "{\"command\":\"get_status\"}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("no_command_session", body.GetProperty("outcome").GetString());
        Assert.Contains("WebSocket", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task CommandsPastTheInFlightLimitAre429()
    {
        await using var pipeline = await StartAsync(maxInFlight: 1);
        await using var robot = await ConnectAsync(pipeline, "r1");
        var first = RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"long\",\"timeout\":\"1m\"}");
        var command = await robot.ReceivedAsync("long");

        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", "{\"command\":\"another\"}");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("MaxCommandsInFlight", body.GetProperty("error").GetString());

        await robot.RespondAsync(command, RobotAnswer.Ok("done"));
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("{\"params\":{}}", "command: a non-empty string")]
    [InlineData("{\"command\":\"x\",\"params\":[1]}", "params must be a JSON object")]
    [InlineData("{\"command\":\"x\",\"timeout\":\"6m\"}", "at most 5 min")]
    [InlineData("{\"command\":\"x\",\"timeout\":\"soon\"}", "duration like 10s")]
    [InlineData("{\"command\":\"x\",\"timeout\":0}", "more than 0")]
    public async Task ABadRequestIs400SayingWhatIsWrong(string json, string message)
    {
        await using var pipeline = await StartAsync();
        var (status, body) = await RobotApi.PostAsync(pipeline, "/api/robots/r1/commands", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("error").GetString());
    }
}
