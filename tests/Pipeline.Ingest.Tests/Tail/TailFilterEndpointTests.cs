using System.Text;
using System.Text.Json;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary>
/// <c>GET /api/tail</c>'s filters over real HTTP against the real service: each viewer gets the events that match, and the
/// last event sent (matching every filter, msg "end") marks that nothing else was coming.
/// </summary>
public sealed class TailFilterEndpointTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");

    /// <summary>Messages of the events read up to the one whose msg is "end".</summary>
    private static async Task<List<string>> MessagesUntilEndAsync(SseTail tail)
    {
        var messages = new List<string>();
        while (true)
        {
            var data = Assert.Single(await tail.ReadEventsAsync(1));
            using var e = JsonDocument.Parse(data);
            var msg = e.RootElement.GetProperty("msg").GetString()!;
            messages.Add(msg);
            if (msg == "end")
            {
                return messages;
            }
        }
    }

    [Fact]
    public async Task RobotFilterShowsOnlyThatRobotsEvents()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?robot=r1");

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r2","msg":"other"}""", """{"robot_id":"r1","msg":"mine"}""", """{"robot_id":"r10","msg":"prefix"}""",
            """{"robot_id":"r1","msg":"end"}"""));

        Assert.Equal(["mine", "end"], await MessagesUntilEndAsync(tail));
    }

    [Fact]
    public async Task LevelFilterIsAMinimum()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?level=WARNING");

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","level":"debug","msg":"d"}""", """{"robot_id":"r1","level":"info","msg":"i"}""",
            """{"robot_id":"r1","level":"warning","msg":"w"}""", """{"robot_id":"r1","level":"error","msg":"e"}""",
            """{"robot_id":"r1","level":"critical","msg":"end"}"""));

        Assert.Equal(["w", "e", "end"], await MessagesUntilEndAsync(tail));
    }

    [Fact]
    public async Task TypeFilterShowsOnlyThatType()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?type=motor");

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","type":"battery","msg":"b"}""", """{"robot_id":"r1","type":"motor","msg":"m"}""",
            """{"robot_id":"r1","msg":"untyped"}""", """{"robot_id":"r1","type":"motor","msg":"end"}"""));

        Assert.Equal(["m", "end"], await MessagesUntilEndAsync(tail));
    }

    [Fact]
    public async Task SiteFilterUsesTheFleetRegistry()
    {
        var registry = _directory.Write("fleet.csv", "robot_id,name,site,model\nr1,One,Lyon,RX-1\nr2,Two,Nantes,RX-2\n");
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Enrich:RegistryPath"] = registry });
        await using var tail = await SseTail.OpenAsync(pipeline, "?site=Nantes");

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","msg":"lyon"}""", """{"robot_id":"r2","msg":"nantes"}""", """{"robot_id":"r3","msg":"unknown"}""",
            """{"robot_id":"r2","msg":"end"}"""));

        Assert.Equal(["nantes", "end"], await MessagesUntilEndAsync(tail));
    }

    [Fact]
    public async Task TemplateIdFilterShowsOnlyThatPattern()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        string id;
        await using (var first = await SseTail.OpenAsync(pipeline))
        {
            // Numbers are variable parts: these share the template "disk full on <*>".
            await pipeline.SendTcpAsync(Lines("""{"robot_id":"r1","msg":"disk full on 1"}""", """{"robot_id":"r1","msg":"disk full on 2"}"""));
            using var e = JsonDocument.Parse((await first.ReadEventsAsync(2))[1]);
            id = e.RootElement.GetProperty("template_id_str").GetString()!;
        }

        await using var tail = await SseTail.OpenAsync(pipeline, "?template_id=" + id);
        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","msg":"motor stalled at 3 rpm"}""", """{"robot_id":"r1","msg":"disk full on 3"}""",
            """{"robot_id":"r1","msg":"end"}""", """{"robot_id":"r1","msg":"disk full on 4"}"""));

        var data = await tail.ReadEventsAsync(2);
        Assert.Equal(["disk full on 3", "disk full on 4"], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task GrepIsASubstringOfMsg()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?grep=" + Uri.EscapeDataString("time out"));

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","msg":"connect time out after 3 s"}""", """{"robot_id":"r1","msg":"timeout"}""",
            """{"robot_id":"r1","type":"time out","msg":"in type only"}""", """{"robot_id":"r1","msg":"time out: end"}""",
            """{"robot_id":"r1","msg":"end"}"""));

        var data = await tail.ReadEventsAsync(2);
        Assert.Equal(["connect time out after 3 s", "time out: end"], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("msg").GetString()));
    }

    [Theory]
    [InlineData("?grep=%2F%5Eerr(or)%3F%20%5Cd%2B%24%2F")] // /^err(or)? \d+$/
    [InlineData("?grep=%5Eerr(or)%3F%20%5Cd%2B%24&regex=true")] // ^err(or)? \d+$ with regex=true
    public async Task GrepIsARegularExpressionBetweenSlashesOrWithRegexTrue(string query)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, query);

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","msg":"err 1"}""", """{"robot_id":"r1","msg":"error x"}""", """{"robot_id":"r1","msg":"an error 2"}""",
            """{"robot_id":"r1","msg":"error 22"}"""));

        var data = await tail.ReadEventsAsync(2);
        Assert.Equal(["err 1", "error 22"], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task SampleSendsOneInNOfTheMatchingEvents()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?sample=3&robot=r1");

        var lines = Enumerable.Range(1, 9).Select(i => $$"""{"robot_id":"r1","msg":"m{{i}}"}""")
            .Concat(["""{"robot_id":"r2","msg":"other"}"""]).ToArray();
        await pipeline.SendTcpAsync(Lines(lines));
        await pipeline.SendTcpAsync(Lines("""{"robot_id":"r1","msg":"m10"}"""));

        var data = await tail.ReadEventsAsync(4);
        Assert.Equal(["m1", "m4", "m7", "m10"], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task EachEventIsItsLineInTheRollingFilesAfterRedaction()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline);

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","level":"error","msg":"login failed","password":"hunter2","data":{"battery":12}}""",
            """{"robot_id":"r2","type":"motor","msg":"ok"}"""));
        var data = await tail.ReadEventsAsync(2);
        await pipeline.StopAsync();

        Assert.Equal(pipeline.ReadLogLines(), data);
        Assert.DoesNotContain("hunter2", data[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiltersCombine()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var tail = await SseTail.OpenAsync(pipeline, "?robot=r1&level=error&grep=motor");

        await pipeline.SendTcpAsync(Lines(
            """{"robot_id":"r1","level":"error","msg":"disk"}""", """{"robot_id":"r2","level":"error","msg":"motor"}""",
            """{"robot_id":"r1","level":"info","msg":"motor"}""", """{"robot_id":"r1","level":"error","msg":"motor hot"}""",
            """{"robot_id":"r1","level":"error","msg":"motor end"}"""));

        var data = await tail.ReadEventsAsync(2);
        Assert.Equal(["motor hot", "motor end"], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("msg").GetString()));
    }
}
