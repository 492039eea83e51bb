using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Channels.Tests;

/// <summary>
/// The whole service with alerting on: robots over real TCP, the rule engine at the fan-out, a Webhook
/// channel posting Alertmanager JSON to a real HTTP receiver, and the alerts API over real HTTP.
/// </summary>
public sealed class AlertingServiceTests
{
    private static Dictionary<string, string> Settings(string url) => new()
    {
        ["Alerts:EvaluationInterval"] = "00:00:00.050",
        ["Alerts:Rules:0:Name"] = "error_burst",
        ["Alerts:Rules:0:Kind"] = "threshold",
        ["Alerts:Rules:0:Match:MinLevel"] = "ERROR",
        ["Alerts:Rules:0:Window"] = "00:01:00",
        ["Alerts:Rules:0:Threshold"] = "3",
        ["Alerts:Rules:0:GroupBy:0"] = "robot_id",
        ["Alerts:Rules:0:Severity"] = "critical",
        ["Alerts:Rules:0:Channels:0"] = "hook",
        ["Alerts:Rules:0:Annotations:summary"] = "{{robot_id}}: {{count}} errors",
        ["Alerts:Channels:hook:Type"] = "Webhook",
        ["Alerts:Channels:hook:Url"] = url,
        ["Alerts:Channels:hook:GroupWait"] = "00:00:00",
        ["Alerts:Channels:hook:RatePerMinute"] = "0",
    };

    private static byte[] Errors(string robot, int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append("{\"robot_id\":\"").Append(robot).Append("\",\"level\":\"ERROR\",\"type\":\"motor\",\"msg\":\"motor stalled ").Append(i).Append("\"}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Sends on a connection that stays open: a robot whose connection closed is offline, not firing.</summary>
    private static async Task<System.Net.Sockets.TcpClient> ConnectedRobotAsync(TestPipeline pipeline, byte[] payload)
    {
        var client = await pipeline.ConnectTcpAsync();
        await client.GetStream().WriteAsync(payload);
        return client;
    }

    [Fact]
    public async Task ThreeErrorsOfARobotPostAnAlertmanagerWebhookAndTheApiShowsTheFiringAlert()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var pipeline = await TestPipeline.StartAsync(Settings(receiver.BaseUrl + "/hook"));

        using var robot = await ConnectedRobotAsync(pipeline, Errors("r-7", 3).Concat(Errors("r-8", 1)).ToArray());
        var request = Assert.Single(await receiver.WaitForAsync(1));

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("4", root.GetProperty("version").GetString());
        Assert.Equal("firing", root.GetProperty("status").GetString());
        var alert = Assert.Single(root.GetProperty("alerts").EnumerateArray().ToList());
        Assert.Equal("error_burst", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("r-7", alert.GetProperty("labels").GetProperty("robot_id").GetString());
        Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal("r-7: 3 errors", alert.GetProperty("annotations").GetProperty("summary").GetString());

        using var http = new HttpClient { BaseAddress = pipeline.HttpUri };
        using var alerts = JsonDocument.Parse(await http.GetStringAsync("/api/alerts"));
        var active = Assert.Single(alerts.RootElement.GetProperty("active").EnumerateArray().ToList());
        Assert.Equal("error_burst", active.GetProperty("rule").GetString());
        Assert.Equal("robot_id=r-7", active.GetProperty("group_key").GetString());
        Assert.Equal("firing", active.GetProperty("state").GetString());
        using var rules = JsonDocument.Parse(await http.GetStringAsync("/api/alerts/rules"));
        var rule = Assert.Single(rules.RootElement.GetProperty("rules").EnumerateArray().ToList());
        Assert.Equal(1, rule.GetProperty("firing").GetInt32());
        Assert.Equal(2, rule.GetProperty("groups").GetInt32());

        // Both the engine's and the channel's metric families are on /metrics.
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("pipeline_alert_notices_total{rule=\"error_burst\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("pipeline_alert_messages_total{channel=\"hook\",result=\"sent\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASilenceMadeThroughTheApiMutesTheRobotsAlertButKeepsItListedAsSilenced()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var pipeline = await TestPipeline.StartAsync(Settings(receiver.BaseUrl + "/hook"));
        using var http = new HttpClient { BaseAddress = pipeline.HttpUri };

        using var created = await http.PostAsync("/api/silences", new StringContent(
            """{"matchers":[{"name":"robot_id","value":"r-7"}],"duration":"01:00:00","comment":"in the workshop"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silence").GetProperty("id").GetString()!;

        // r-7 is silenced, r-8 is not: r-8's notification arriving says r-7's tick has passed too (same tick, same rule).
        using var robot = await ConnectedRobotAsync(pipeline, Errors("r-7", 3).Concat(Errors("r-8", 3)).ToArray());
        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Contains("\"robot_id\":\"r-8\"", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"robot_id\":\"r-7\"", request.Body, StringComparison.Ordinal);

        using var alerts = JsonDocument.Parse(await http.GetStringAsync("/api/alerts"));
        var r7 = alerts.RootElement.GetProperty("active").EnumerateArray().Single(a => a.GetProperty("group_key").GetString() == "robot_id=r-7");
        Assert.True(r7.GetProperty("silenced").GetBoolean());
        Assert.Equal(0, r7.GetProperty("notifications_sent").GetInt32());

        using var deleted = await http.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var again = await http.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task ARobotThatDisconnectsWhileFiringGoesOfflineWithoutAResolvedWebhookAndResolvesWhenItIsBack()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var settings = Settings(receiver.BaseUrl + "/hook");
        // Long enough that r-7 is still firing when its disconnect is seen, even on a loaded machine (at 300 ms its
        // window could end first, and it would resolve as a connected robot would).
        settings["Alerts:Rules:0:Window"] = "00:00:02";
        await using var pipeline = await TestPipeline.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = pipeline.HttpUri };

        var r7 = await ConnectedRobotAsync(pipeline, Errors("r-7", 3));
        Assert.Contains("\"robot_id\":\"r-7\"", Assert.Single(await receiver.WaitForAsync(1)).Body, StringComparison.Ordinal);
        r7.Dispose();
        // Once ingest has closed the connection, the next evaluation finds r-7 offline: run it now instead of polling.
        await pipeline.WaitForClosedConnectionsAsync(1);
        pipeline.Services.GetRequiredService<Pipeline.Blocks.Alerts.AlertBlock>().Tick();
        Assert.Equal("offline", (await AlertAsync(http, "robot_id=r-7"))!.Value.GetProperty("state").GetString());

        // r-8 stays connected: it fires and, its window over, resolves. r-7's window ended before r-8's, yet no
        // resolved notice for r-7 is among them: it is offline, not fixed.
        using var r8 = await ConnectedRobotAsync(pipeline, Errors("r-8", 3));
        await receiver.WaitForAsync(3);
        var bodies = receiver.Requests.Skip(1).Select(r => r.Body).ToList();
        Assert.Contains(bodies, b => b.Contains("\"status\":\"resolved\"", StringComparison.Ordinal) && b.Contains("\"robot_id\":\"r-8\"", StringComparison.Ordinal));
        Assert.DoesNotContain(bodies, b => b.Contains("\"robot_id\":\"r-7\"", StringComparison.Ordinal));
        Assert.Equal("offline", (await AlertAsync(http, "robot_id=r-7"))!.Value.GetProperty("state").GetString());

        // r-7 reconnects and only says it booted (an INFO the rule does not match): back, not over, resolved.
        // (Not a "hello": that is a control message of the wire protocol, not an event.)
        using var again = await ConnectedRobotAsync(pipeline, Encoding.UTF8.GetBytes("{\"robot_id\":\"r-7\",\"level\":\"INFO\",\"type\":\"boot\",\"msg\":\"back\"}\n"));
        var resolved = (await receiver.WaitForAsync(4))[3].Body;
        Assert.Contains("\"status\":\"resolved\"", resolved, StringComparison.Ordinal);
        Assert.Contains("\"robot_id\":\"r-7\"", resolved, StringComparison.Ordinal);
        Assert.Null(await AlertAsync(http, "robot_id=r-7"));
    }

    private static async Task<JsonElement?> AlertAsync(HttpClient http, string group)
    {
        using var alerts = JsonDocument.Parse(await http.GetStringAsync("/api/alerts"));
        foreach (var alert in alerts.RootElement.GetProperty("active").EnumerateArray())
        {
            if (alert.GetProperty("group_key").GetString() == group)
            {
                return alert.Clone();
            }
        }

        return null;
    }

    [Theory]
    [InlineData("{\"matchers\":[]}", "matchers")]
    [InlineData("{\"matchers\":[{\"name\":\"robot_id\",\"value\":\"r-7\"}]}", "until")]
    [InlineData("{\"matchers\":[{\"name\":\"robot_id\",\"value\":\"r-7\"}],\"until\":\"2001-01-01T00:00:00Z\"}", "not in the future")]
    [InlineData("{\"matchers\":[{\"name\":\"robot_id\",\"value\":\"(\",\"is_regex\":true}],\"duration\":\"01:00:00\"}", "regex")]
    [InlineData("not json", "not a silence")]
    public async Task ABadSilenceIsRefusedWith400AndSaysWhatIsWrong(string body, string expected)
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var pipeline = await TestPipeline.StartAsync(Settings(receiver.BaseUrl + "/hook"));
        using var http = new HttpClient { BaseAddress = pipeline.HttpUri };

        using var response = await http.PostAsync("/api/silences", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithAlertingOffTheAlertEndpointsAnswer404SayingHowToTurnItOn()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>());
        using var http = new HttpClient { BaseAddress = pipeline.HttpUri };

        foreach (var path in new[] { "/api/alerts", "/api/alerts/rules", "/api/silences" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Pipeline:Alerts:Rules", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
