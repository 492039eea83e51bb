using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Robots;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary>Last-known state: asked on connect, served with its age and staleness, refreshed on demand or by status_update; the pipeline's own recent events per robot.</summary>
public sealed class RobotStateTests
{
    /// <summary>A robot that answers the three on-connect questions with a numbered answer.</summary>
    private static Func<RobotCommand, RobotAnswer?> Answers(int round) => command => command.Command switch
    {
        "get_status" => RobotAnswer.Ok(new { battery = 90 - round, state = "idle" }),
        "get_config" => RobotAnswer.Ok(new { max_speed = 1.5 }),
        "get_logs" => RobotAnswer.Ok(new[] { "boot ok", "nav ready" }),
        _ => null,
    };

    private static Task WaitForRobotsSinkAsync(TestPipeline pipeline, long events) =>
        pipeline.Services.GetRequiredService<RobotsSink>().WaitForEventsAsync(events).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Completes once <paramref name="count"/> commands to <paramref name="robotId"/> were answered; call it before the robot connects.</summary>
    private static Task AnsweredAsync(TestPipeline pipeline, string robotId, int count)
    {
        var answered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.Services.GetRequiredService<CommandBroker>().Ended += outcome =>
        {
            if (outcome.RobotId == robotId && outcome.Status == CommandStatus.Answered && Interlocked.Increment(ref answered) == count)
            {
                done.TrySetResult();
            }
        };
        return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task OnConnectTheServerAsksForStatusConfigAndLogsAndServesThemWithTheirAge()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:StatusTtl"] = "01:00:00" });
        var answered = AnsweredAsync(pipeline, "r1", 3);
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "r1", Answers(0));
        await answered;

        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(90, body.GetProperty("value").GetProperty("battery").GetInt32());
        Assert.False(body.GetProperty("stale").GetBoolean());
        Assert.Equal(3600, body.GetProperty("ttl_seconds").GetDouble());
        Assert.True(body.GetProperty("age_seconds").GetDouble() >= 0);
        Assert.Equal("command", body.GetProperty("source").GetString());

        var (_, config) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/config");
        Assert.Equal(1.5, config.GetProperty("value").GetProperty("max_speed").GetDouble());
        Assert.Equal(300, config.GetProperty("ttl_seconds").GetDouble());
        var (_, logs) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/logs");
        Assert.Equal(["boot ok", "nav ready"], logs.GetProperty("value").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(1800, logs.GetProperty("ttl_seconds").GetDouble());

        var (_, show) = await RobotApi.GetAsync(pipeline, "/api/robots/r1");
        Assert.False(show.GetProperty("state").GetProperty("status").GetProperty("stale").GetBoolean());
        Assert.Equal("test-robot/1.0", show.GetProperty("connections")[0].GetProperty("user_agent").GetString());
    }

    [Fact]
    public async Task AnAnswerOlderThanItsTtlIsMarkedStaleAndRefreshAsksTheRobotAgain()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:StatusTtl"] = "00:00:00.0000001" });
        var answered = AnsweredAsync(pipeline, "r1", 3);
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "r1", Answers(0));
        await answered;

        var (_, cached) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/status");
        Assert.True(cached.GetProperty("stale").GetBoolean());
        Assert.Equal(90, cached.GetProperty("value").GetProperty("battery").GetInt32());

        robot.Answer = Answers(1);
        var (status, fresh) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/status?refresh=true&timeout=5s");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(89, fresh.GetProperty("value").GetProperty("battery").GetInt32());
    }

    [Fact]
    public async Task RefreshOfASilentRobotIs504AndOfAnOfflineOne409()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:AskOnConnect"] = "false" });
        await using (var robot = await CommandedRobot.ConnectAsync(pipeline, "r1"))
        {
            await RobotApi.WaitAttachedAsync(pipeline, "r1");
            var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/config?refresh=true&timeout=200ms");
            Assert.Equal(HttpStatusCode.GatewayTimeout, status);
            Assert.Contains("get_config", body.GetProperty("error").GetString());
            var (never, hint) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/config");
            Assert.Equal(HttpStatusCode.NotFound, never);
            Assert.Contains("?refresh=true", hint.GetProperty("error").GetString());
            await robot.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        Assert.Equal(HttpStatusCode.Conflict, (await RobotApi.GetAsync(pipeline, "/api/robots/r1/status?refresh=true")).Status);
    }

    [Fact]
    public async Task AStatusUpdateEventRefreshesTheStatus()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:AskOnConnect"] = "false" });
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "r1");
        await robot.SendAsync("{\"type\":\"status_update\",\"robot_id\":\"r1\",\"battery\":42,\"mode\":\"charging\"}");
        await WaitForRobotsSinkAsync(pipeline, 1);

        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(42, body.GetProperty("value").GetProperty("battery").GetInt32());
        Assert.Equal("charging", body.GetProperty("value").GetProperty("mode").GetString());
        Assert.Equal("status_update", body.GetProperty("source").GetString());
    }

    [Fact]
    public async Task LogsFromThePipelineAreTheRobotsLastEventsAfterRedactionFilteredByLevel()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Robots:AskOnConnect"] = "false" });
        await using var robot = await CommandedRobot.ConnectAsync(pipeline, "r1");
        await robot.SendAsync(
            "{\"robot_id\":\"r1\",\"level\":\"INFO\",\"msg\":\"one\"}\n" +
            "{\"robot_id\":\"r1\",\"level\":\"ERROR\",\"msg\":\"two\",\"password\":\"hunter2\"}\n" +
            "{\"robot_id\":\"r1\",\"level\":\"WARNING\",\"msg\":\"three\"}\n" +
            "{\"robot_id\":\"r1\",\"level\":\"ERROR\",\"msg\":\"four\"}\n");
        await WaitForRobotsSinkAsync(pipeline, 4);

        var (status, all) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/logs?source=pipeline");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["one", "two", "three", "four"], all.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("msg").GetString()));
        Assert.DoesNotContain("hunter2", all.GetRawText());

        Assert.All(all.GetProperty("events").EnumerateArray(), e =>
            Assert.Equal(e.GetProperty("template_id").GetRawText(), e.GetProperty("template_id_str").GetString()));

        var (_, errors) = await RobotApi.GetAsync(pipeline, "/api/robots/r1/logs?source=pipeline&level=error&limit=1");
        Assert.Equal(["four"], errors.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("msg").GetString()));

        var (_, list) = await RobotApi.GetAsync(pipeline, "/api/robots");
        var entry = list.GetProperty("robots").EnumerateArray().Single();
        Assert.Equal(4, entry.GetProperty("events_last_hour").GetInt64());
        Assert.Equal(2, entry.GetProperty("errors_last_hour").GetInt64());
    }

    [Theory]
    [InlineData("/api/robots/r1/logs?source=pipeline&limit=0", "limit must be a positive whole number")]
    [InlineData("/api/robots/r1/logs?source=pipeline&level=LOUD", "level must be DEBUG")]
    [InlineData("/api/robots/r1/logs?source=elsewhere", "source must be robot")]
    [InlineData("/api/robots/r1/status?refresh=true&timeout=forever", "duration like 10s")]
    public async Task ABadQueryIs400SayingWhatIsWrong(string path, string message)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (status, body) = await RobotApi.GetAsync(pipeline, path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("error").GetString());
    }
}
