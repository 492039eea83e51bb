using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.PatternMine.Anomalies;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><c>GET /api/patterns</c> and <c>GET /api/patterns/anomalies</c> over real HTTP, fed over real TCP.</summary>
public sealed class PatternEndpointsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TopTemplatesComeMostFrequentFirstWithIdsTimesRateAndExample()
    {
        var (pipeline, sink, time) = await StartAsync();
        await using var running = pipeline;
        await SendAsync(pipeline, sink, "r1",
            "battery at 80 percent", "battery at 75 percent", "lidar scan complete", "battery at 70 percent",
            "gripper opened slowly", "lidar scan complete", "battery at 65 percent", "lidar scan complete", "battery at 60 percent");
        time.Advance(TimeSpan.FromSeconds(40));
        pipeline.Services.GetRequiredService<PatternAnomalyDetector>().Tick();

        using var json = await GetJsonAsync(pipeline, "/api/patterns?top=2", HttpStatusCode.OK);

        var root = json.RootElement;
        var templates = root.GetProperty("templates").EnumerateArray().ToList();
        Assert.Equal(2, templates.Count);
        Assert.Equal(3, root.GetProperty("total_templates").GetInt32());
        Assert.Equal(0, root.GetProperty("evicted").GetInt64());

        var battery = templates[0];
        Assert.Equal("battery at <*> percent", battery.GetProperty("template").GetString());
        Assert.Equal(5, battery.GetProperty("count").GetInt64());
        var hex = battery.GetProperty("id_hex").GetString()!;
        Assert.Matches("^[0-9a-f]{16}$", hex);
        Assert.Equal(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), battery.GetProperty("id").GetUInt64());
        // The exact decimal digits as a string, for JSON readers that round numbers above 2^53 (JavaScript, jq 1.6).
        Assert.Equal(battery.GetProperty("id").GetRawText(), battery.GetProperty("id_str").GetString());
        Assert.Equal("2026-11-23T12:00:00.000Z", battery.GetProperty("first_seen").GetString());
        Assert.Equal("2026-11-23T12:00:00.000Z", battery.GetProperty("last_seen").GetString());
        Assert.Equal(0.125, battery.GetProperty("rate_per_s").GetDouble()); // 5 messages in the 40 s window
        Assert.Equal("battery at 80 percent", battery.GetProperty("example").GetString());

        Assert.Equal("lidar scan complete", templates[1].GetProperty("template").GetString());
        Assert.Equal(3, templates[1].GetProperty("count").GetInt64());

        using var all = await GetJsonAsync(pipeline, "/api/patterns", HttpStatusCode.OK);
        Assert.Equal(3, all.RootElement.GetProperty("templates").GetArrayLength());
    }

    [Theory]
    [InlineData("top=0")]
    [InlineData("top=1001")]
    [InlineData("top=-1")]
    [InlineData("top=abc")]
    [InlineData("top=1.5")]
    [InlineData("top=")]
    [InlineData("top=1&top=2")]
    public async Task TopMustBeAWholeNumberFromOneToOneThousand(string query)
    {
        var (pipeline, _, _) = await StartAsync();
        await using var running = pipeline;

        using var json = await GetJsonAsync(pipeline, "/api/patterns?" + query, HttpStatusCode.BadRequest);

        Assert.Contains("'top' must be a whole number from 1 to 1000", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnomaliesAreListedNewestFirstWithTheirTemplateAndRobot()
    {
        var (pipeline, sink, time) = await StartAsync();
        await using var running = pipeline;
        await SendAsync(pipeline, sink, "r1", "motor driver reported overcurrent");
        await SendAsync(pipeline, sink, "r2", "safety scanner field violated");
        time.Advance(TimeSpan.FromSeconds(40));
        pipeline.Services.GetRequiredService<PatternAnomalyDetector>().Tick();

        using var json = await GetJsonAsync(pipeline, "/api/patterns/anomalies", HttpStatusCode.OK);

        var anomalies = json.RootElement.GetProperty("anomalies").EnumerateArray().ToList();
        Assert.Equal(2, anomalies.Count);
        var newest = anomalies[0];
        Assert.Equal("new_template", newest.GetProperty("kind").GetString());
        Assert.Equal("safety scanner field violated", newest.GetProperty("template").GetString());
        Assert.Equal("r2", newest.GetProperty("robot_id").GetString());
        Assert.Equal("2026-11-23T12:00:00.000Z", newest.GetProperty("time").GetString());
        var hex = newest.GetProperty("template_id_hex").GetString()!;
        Assert.Equal(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), newest.GetProperty("template_id").GetUInt64());
        Assert.Equal(newest.GetProperty("template_id").GetRawText(), newest.GetProperty("template_id_str").GetString());
        Assert.Contains("safety scanner field violated", newest.GetProperty("message").GetString());
        Assert.Equal(1, newest.GetProperty("value").GetDouble());
        Assert.Equal("motor driver reported overcurrent", anomalies[1].GetProperty("template").GetString());

        using var one = await GetJsonAsync(pipeline, "/api/patterns/anomalies?limit=1", HttpStatusCode.OK);
        Assert.Equal("r2", Assert.Single(one.RootElement.GetProperty("anomalies").EnumerateArray().ToList()).GetProperty("robot_id").GetString());

        using var bad = await GetJsonAsync(pipeline, "/api/patterns/anomalies?limit=0", HttpStatusCode.BadRequest);
        Assert.Contains("'limit' must be a whole number from 1 to 1000", bad.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task BothEndpointsAnswer404SayingHowToEnablePatternMiningWhenItIsOff()
    {
        var (pipeline, _, _) = await StartAsync(new Dictionary<string, string> { ["PatternMine:Enabled"] = "false" });
        await using var running = pipeline;

        using var templates = await GetJsonAsync(pipeline, "/api/patterns", HttpStatusCode.NotFound);
        using var anomalies = await GetJsonAsync(pipeline, "/api/patterns/anomalies", HttpStatusCode.NotFound);

        Assert.Contains("set Pipeline:PatternMine:Enabled=true", templates.RootElement.GetProperty("error").GetString());
        Assert.Contains("set Pipeline:PatternMine:Enabled=true", anomalies.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task WithAnomalyDetectionOffTemplatesAreListedWithoutRatesAndAnomaliesAnswer404()
    {
        var (pipeline, sink, _) = await StartAsync(new Dictionary<string, string> { ["PatternMine:Anomalies:Enabled"] = "false" });
        await using var running = pipeline;
        await SendAsync(pipeline, sink, "r1", "charging started");

        using var templates = await GetJsonAsync(pipeline, "/api/patterns", HttpStatusCode.OK);
        using var anomalies = await GetJsonAsync(pipeline, "/api/patterns/anomalies", HttpStatusCode.NotFound);

        var template = Assert.Single(templates.RootElement.GetProperty("templates").EnumerateArray().ToList());
        Assert.Equal(JsonValueKind.Null, template.GetProperty("rate_per_s").ValueKind);
        Assert.Contains("set Pipeline:PatternMine:Anomalies:Enabled=true", anomalies.RootElement.GetProperty("error").GetString());
        Assert.Null(pipeline.Services.GetService<PatternAnomalyDetector>());
    }

    /// <summary>
    /// A pipeline on a fake clock (its anomaly timer only fires when a test moves the clock a whole window),
    /// no warm-up, one-minute windows, and a recording sink to await processed events.
    /// </summary>
    internal static async Task<(TestPipeline Pipeline, RecordingSink Sink, FakeTimeProvider Time)> StartAsync(Dictionary<string, string>? settings = null)
    {
        var time = new FakeTimeProvider(Start);
        var sink = new RecordingSink();
        var all = new Dictionary<string, string>
        {
            ["PatternMine:Anomalies:WarmUp"] = "00:00:00",
            ["PatternMine:Anomalies:Window"] = "00:01:00",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var pipeline = await TestPipeline.StartAsync(all, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IEventSink>(sink);
        });
        return (pipeline, sink, time);
    }

    /// <summary>Sends the messages over TCP and waits until the graph has mined and delivered them (one call per robot).</summary>
    internal static async Task SendAsync(TestPipeline pipeline, RecordingSink sink, string robot, params string[] messages)
    {
        await pipeline.SendTcpAsync(Ndjson.Bytes(string.Concat(messages.Select(m => Ndjson.Line(robot, m)))));
        await sink.WaitForAsync(events => events.Count(e => e.RobotId == robot && e.Protocol == "tcp") >= messages.Length);
    }

    private static async Task<JsonDocument> GetJsonAsync(TestPipeline pipeline, string path, HttpStatusCode expected)
    {
        using var client = HttpProbe.Client(pipeline);
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{path}: expected {expected}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body);
    }
}
