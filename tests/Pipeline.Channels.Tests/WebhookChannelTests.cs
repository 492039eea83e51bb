using System.Text.Json.Nodes;
using Pipeline.Blocks.Alerts;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Storage.Alerting;
using Pipeline.Tests.Shared.Servers;

namespace Pipeline.Channels.Tests;

/// <summary>The webhook channel against a real HTTP receiver (Kestrel on loopback).</summary>
public sealed class WebhookChannelTests
{
    private static AlertChannelOptions Hook(string url, TimeSpan? groupWait = null, int attempts = 3, TimeSpan? timeout = null) => new()
    {
        Type = AlertChannelType.Webhook,
        Url = url,
        ExternalUrl = "http://pipeline.example:8080",
        GroupWait = groupWait ?? TimeSpan.FromSeconds(1),
        Attempts = attempts,
        Timeout = timeout ?? TimeSpan.FromHours(1),
    };

    [Fact]
    public async Task PostsAlertmanagerWebhookJsonVersion4()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var test = TestChannels.Start(new() { ["hook"] = Hook(receiver.BaseUrl + "/alerts") });
        var notice = new AlertNotice
        {
            Source = "battery_low",
            Kind = AlertNoticeKind.Firing,
            GroupKey = "robot_id=r-7",
            Fingerprint = "5f2c1a9e0b7d4c31",
            Labels = new Dictionary<string, string> { ["alertname"] = "battery_low", ["severity"] = "critical", ["robot_id"] = "r-7" },
            Annotations = new Dictionary<string, string> { ["summary"] = "Battery of r-7 at 12%" },
            StartsAt = new DateTimeOffset(2026, 12, 3, 11, 59, 0, TimeSpan.Zero),
            Value = 12,
            Count = 2,
            Example = """{"robot_id":"r-7","data":{"battery":12}}""",
            Severity = "critical",
        };
        test.Channels.Notify("hook", notice);
        test.Channels.Notify("hook", new AlertNotice
        {
            Source = notice.Source, Kind = notice.Kind, GroupKey = notice.GroupKey, Fingerprint = notice.Fingerprint, Labels = notice.Labels,
            Annotations = notice.Annotations, StartsAt = notice.StartsAt.AddSeconds(5), Count = 1, Example = "second", Severity = "critical",
        });

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        var request = Assert.Single(await receiver.WaitForAsync(1));

        Assert.Equal("/alerts", request.Path);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var expected = JsonNode.Parse("""
            {
              "version": "4",
              "groupKey": "{}:{alertname=\"battery_low\",group=\"robot_id=r-7\"}",
              "truncatedAlerts": 0,
              "status": "firing",
              "receiver": "hook",
              "groupLabels": { "alertname": "battery_low" },
              "commonLabels": { "alertname": "battery_low", "severity": "critical", "robot_id": "r-7" },
              "commonAnnotations": { "summary": "Battery of r-7 at 12%" },
              "externalURL": "http://pipeline.example:8080",
              "alerts": [
                {
                  "status": "firing",
                  "labels": { "alertname": "battery_low", "severity": "critical", "robot_id": "r-7" },
                  "annotations": {
                    "summary": "Battery of r-7 at 12%",
                    "count": "3",
                    "group_key": "robot_id=r-7",
                    "kind": "firing",
                    "examples": "{\"robot_id\":\"r-7\",\"data\":{\"battery\":12}}\nsecond"
                  },
                  "startsAt": "2026-12-03T11:59:00Z",
                  "endsAt": "0001-01-01T00:00:00Z",
                  "generatorURL": "",
                  "fingerprint": "5f2c1a9e0b7d4c31"
                }
              ]
            }
            """);
        var actual = JsonNode.Parse(request.Body);
        Assert.True(JsonNode.DeepEquals(expected, actual), actual!.ToJsonString());
    }

    [Fact]
    public async Task AStormOfTenThousandNoticesFromAHundredRobotsBecomesAtMostTenMessagesThatAccountForEveryEvent()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var options = Hook(receiver.BaseUrl, groupWait: TimeSpan.FromSeconds(10));
        options.RatePerMinute = 10;
        options.QueueCapacity = 10_000;
        await using var test = TestChannels.Start(new() { ["hook"] = options });

        for (var second = 0; second < 10; second++)
        {
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(test.Channels.Notify("hook", Notices.Of("route_errors", $"r-{i % 100}", AlertNoticeKind.Event, example: $"s{second} #{i}")));
            }

            test.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var all = DeliveredAsync(receiver, 10_000);
        while (!all.IsCompleted)
        {
            var timer = test.Time.TimerAsync(d => d <= TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));
            if (await Task.WhenAny(all, timer) == timer)
            {
                test.Time.AdvanceTo(await timer);
            }
        }

        var messages = await all;
        Assert.InRange(messages.Count, 1, 10);
        var robots = new HashSet<string>();
        long total = 0;
        foreach (var body in messages)
        {
            Assert.Equal(0, (int)body["truncatedAlerts"]!);
            foreach (var alert in body["alerts"]!.AsArray())
            {
                robots.Add((string)alert!["labels"]!["robot_id"]!);
                total += long.Parse((string)alert["annotations"]!["count"]!, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.Equal(10_000, total);
        Assert.Equal(100, robots.Count);
        Assert.Equal(0, test.Dropped("hook", "queue_full"));
    }

    /// <summary>The bodies received once their counts add up to <paramref name="events"/>.</summary>
    private static async Task<List<JsonNode>> DeliveredAsync(HttpReceiver receiver, long events)
    {
        for (var count = 1; ; count++)
        {
            var bodies = (await receiver.WaitForAsync(count, TimeSpan.FromMinutes(2))).Select(r => JsonNode.Parse(r.Body)!).ToList();
            var total = bodies.Sum(b => b["alerts"]!.AsArray().Sum(a => long.Parse((string)a!["annotations"]!["count"]!, System.Globalization.CultureInfo.InvariantCulture)));
            if (total >= events)
            {
                return bodies;
            }
        }
    }

    [Fact]
    public async Task AReceiversRetryAfterIsWaitedExactlyBeforeTheNextAttempt()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = i => i == 0 ? (503, "busy") : (200, "ok");
        receiver.Headers = i => i == 0 ? new Dictionary<string, string> { ["Retry-After"] = "7" } : null;
        await using var test = TestChannels.Start(new() { ["hook"] = Hook(receiver.BaseUrl, TimeSpan.Zero) });
        test.Channels.Notify("hook", Notices.Of("overheat", "r-1"));

        await receiver.WaitForAsync(1);
        var retryAt = await test.Time.TimerAsync(d => d == TimeSpan.FromSeconds(7));
        test.Time.Advance(TimeSpan.FromSeconds(6.9));
        Assert.Single(receiver.Requests);
        test.Time.AdvanceTo(retryAt);
        await receiver.WaitForAsync(2);
        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal(1, test.Messages("hook", "sent"));
    }

    [Fact]
    public async Task DeadChannelsFailOnTheirOwnWhileAnotherKeepsDelivering()
    {
        await using var live = await HttpReceiver.StartAsync();
        await using var silent = await HttpReceiver.StartAsync();
        silent.Respond = _ => (null, "");
        var closedPort = ServerScript.FreePort();
        await using var test = TestChannels.Start(new()
        {
            ["refused"] = Hook($"http://127.0.0.1:{closedPort}/", TimeSpan.Zero, attempts: 1, timeout: TimeSpan.FromSeconds(5)),
            ["silent"] = Hook(silent.BaseUrl, TimeSpan.Zero, attempts: 1, timeout: TimeSpan.FromSeconds(5)),
            ["live"] = Hook(live.BaseUrl, TimeSpan.Zero, attempts: 1), // a timeout of its own: moving the clock for the silent one must not end its request
        });

        foreach (var channel in new[] { "refused", "silent", "live" })
        {
            Assert.True(test.Channels.Notify(channel, Notices.Of("overheat", "r-1")));
        }

        await live.WaitForAsync(1);
        await silent.WaitForAsync(1);
        Assert.Equal(0, test.Messages("silent", "failed")); // still waiting for its answer
        test.Time.Advance(TimeSpan.FromSeconds(5)); // the silent receiver's timeout
        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal(1, test.Messages("live", "sent"));
        Assert.Equal(1, test.Dropped("refused", "send_failed"));
        Assert.Equal(1, test.Dropped("silent", "send_failed"));
    }

    [Fact]
    public async Task TestNotificationReportsSuccessOrTheReceiversOwnError()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = i => i == 0 ? (200, "ok") : (500, "boom: disk full");
        var closedPort = ServerScript.FreePort();
        await using var test = TestChannels.Start(new()
        {
            ["hook"] = Hook(receiver.BaseUrl),
            ["refused"] = Hook($"http://127.0.0.1:{closedPort}/"),
        });

        var ok = await test.Channels.TestAsync("hook", CancellationToken.None);
        var failed = await test.Channels.TestAsync("hook", CancellationToken.None);
        var refused = await test.Channels.TestAsync("refused", CancellationToken.None);
        var unknown = await test.Channels.TestAsync("nope", CancellationToken.None);

        Assert.True(ok.Success);
        var body = JsonNode.Parse(receiver.Requests[0].Body)!;
        Assert.Equal("pipeline_test", (string)body["alerts"]![0]!["labels"]!["alertname"]!);
        Assert.Equal("test", (string)body["alerts"]![0]!["annotations"]!["kind"]!);
        Assert.False(failed.Success);
        Assert.Equal($"hook: webhook {receiver.BaseUrl} answered 500 InternalServerError: boom: disk full", failed.Error);
        Assert.False(refused.Success);
        Assert.Contains("is unreachable (ConnectionRefused", refused.Error, StringComparison.Ordinal);
        Assert.Equal("No alert channel 'nope' in Pipeline:Alerts:Channels (known: hook, refused).", unknown.Error);
    }
}
