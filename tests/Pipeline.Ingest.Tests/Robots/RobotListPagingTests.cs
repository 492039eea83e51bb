using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Robots;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary><c>GET /api/robots?limit=&amp;offset=&amp;q=&amp;status=</c>: the dashboard's page of the fleet, with totals over every robot.</summary>
public sealed class RobotListPagingTests
{
    private static async Task<TestPipeline> StartWithRobotsAsync(int count)
    {
        var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>());
        var sink = pipeline.Services.GetRequiredService<RobotsSink>();
        var lines = string.Concat(Enumerable.Range(1, count).Select(i => i % 5 == 0
            ? $"{{\"robot_id\":\"r-{i:D3}\",\"level\":\"ERROR\",\"msg\":\"fault\"}}\n"
            : Ndjson.Line($"r-{i:D3}", "relayed")));
        await pipeline.SendTcpAsync(Ndjson.Bytes(lines));
        await sink.WaitForEventsAsync(count).WaitAsync(TimeSpan.FromSeconds(30));
        return pipeline;
    }

    [Fact]
    public async Task LimitAndOffsetPageTheSortedFleetWhileTotalsCountEveryRobot()
    {
        await using var pipeline = await StartWithRobotsAsync(25);
        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots?limit=10&offset=20");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["r-021", "r-022", "r-023", "r-024", "r-025"], body.GetProperty("robots").EnumerateArray().Select(r => r.GetProperty("robot_id").GetString()));
        Assert.Equal(25, body.GetProperty("total").GetInt32());
        Assert.Equal(25, body.GetProperty("matched").GetInt32());
        Assert.Equal(20, body.GetProperty("offset").GetInt32());
        Assert.Equal(25, body.GetProperty("events_last_hour").GetInt64());
        Assert.Equal(5, body.GetProperty("errors_last_hour").GetInt64());
    }

    [Fact]
    public async Task LimitZeroAnswersOnlyTheTotals()
    {
        await using var pipeline = await StartWithRobotsAsync(3);
        var (_, body) = await RobotApi.GetAsync(pipeline, "/api/robots?limit=0");

        Assert.Empty(body.GetProperty("robots").EnumerateArray());
        Assert.Equal(3, body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task QKeepsTheRobotsWhoseIdContainsIt()
    {
        await using var pipeline = await StartWithRobotsAsync(25);
        var (_, body) = await RobotApi.GetAsync(pipeline, "/api/robots?q=R-01");

        Assert.Equal(10, body.GetProperty("matched").GetInt32());
        Assert.Equal(25, body.GetProperty("total").GetInt32());
        Assert.All(body.GetProperty("robots").EnumerateArray(), r => Assert.StartsWith("r-01", r.GetProperty("robot_id").GetString()));
    }

    [Fact]
    public async Task StatusTrueAddsTheLastKnownStatusOrNull()
    {
        await using var pipeline = await StartWithRobotsAsync(1);
        var (_, body) = await RobotApi.GetAsync(pipeline, "/api/robots?status=true");

        var robot = Assert.Single(body.GetProperty("robots").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, robot.GetProperty("status").ValueKind);
        var (_, plain) = await RobotApi.GetAsync(pipeline, "/api/robots");
        Assert.False(plain.GetProperty("robots")[0].TryGetProperty("status", out _));
    }

    [Fact]
    public async Task AnOffsetPastTheEndIsAnEmptyPage()
    {
        await using var pipeline = await StartWithRobotsAsync(3);
        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots?offset=50");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("robots").EnumerateArray());
        Assert.Equal(3, body.GetProperty("offset").GetInt32());
    }

    [Theory]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=99999999999", "limit")]
    [InlineData("offset=-5", "offset")]
    [InlineData("offset=1.5", "offset")]
    public async Task ABadLimitOrOffsetIs400NamingIt(string query, string name)
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>());
        var (status, body) = await RobotApi.GetAsync(pipeline, "/api/robots?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(name + " must be a whole number", body.GetProperty("error").GetString());
    }
}
