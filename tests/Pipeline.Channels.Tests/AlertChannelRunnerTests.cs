using Pipeline.Blocks.Alerts;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Storage.Alerting;

namespace Pipeline.Channels.Tests;

/// <summary>The runner in front of every channel, with an in-memory channel: grouping, rate limit, queue, retries, drops.</summary>
public sealed class AlertChannelRunnerTests
{
    private static (TestChannels Test, RecordingChannel Channel) Start(AlertChannelOptions options, string name = "mem")
    {
        var channel = new RecordingChannel(name);
        var test = TestChannels.Start(new() { [name] = options }, (_, _) => channel);
        return (test, channel);
    }

    private static AlertChannelOptions Options(TimeSpan groupWait, int rate = 0, int capacity = 1000) => new()
    {
        Type = AlertChannelType.Webhook,
        Url = "http://127.0.0.1:9/",
        GroupWait = groupWait,
        RatePerMinute = rate,
        QueueCapacity = capacity,
        RetryDelay = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task AGroupingWindowMergesABurstIntoOneMessageWhoseCountsAddUp()
    {
        var (test, channel) = Start(Options(TimeSpan.FromSeconds(10)));
        await using var _ = test;
        for (var i = 0; i < 50; i++)
        {
            Assert.True(test.Channels.Notify("mem", Notices.Of("battery_low", $"r-{i % 5}", count: 2, example: $"event {i}")));
        }

        await test.Time.FireAsync(TimeSpan.FromSeconds(10));
        var message = Assert.Single(await channel.WaitForAsync(1));

        Assert.Equal(5, message.Groups.Count);
        Assert.Equal(100, message.TotalCount);
        Assert.Equal(50, message.Notices);
        Assert.All(message.Groups, g => Assert.Equal(20, g.Count));
        Assert.All(message.Groups, g => Assert.Equal(10, g.Notices));
        Assert.Equal(["event 0", "event 5", "event 10"], message.Groups[0].Examples);
        Assert.Equal(["robot_id=r-0", "robot_id=r-1", "robot_id=r-2", "robot_id=r-3", "robot_id=r-4"], message.Groups.Select(g => g.GroupKey));
    }

    [Fact]
    public async Task GroupsBeyondMaxGroupsMergeIntoARemainderThatKeepsEveryCount()
    {
        var options = Options(TimeSpan.FromSeconds(1));
        options.MaxGroups = 3;
        var (test, channel) = Start(options);
        await using var _ = test;
        for (var i = 0; i < 10; i++)
        {
            test.Channels.Notify("mem", Notices.Of("overheat", $"r-{i}", count: i + 1));
        }

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        var message = Assert.Single(await channel.WaitForAsync(1));

        Assert.Equal(3, message.Groups.Count);
        Assert.Equal(7, message.OtherGroups);
        Assert.Equal(55, message.TotalCount);
        Assert.Equal(1 + 2 + 3, message.Groups.Sum(g => g.Count));
        Assert.Equal(55 - 6, message.OtherCount);
    }

    [Fact]
    public async Task WhileTheRateLimitHoldsAMessageBackNoticesKeepMergingIntoIt()
    {
        var (test, channel) = Start(Options(TimeSpan.Zero, rate: 2));
        await using var _ = test;
        test.Channels.Notify("mem", Notices.Of("a", "r-1"));
        await channel.WaitForAsync(1);
        test.Channels.Notify("mem", Notices.Of("b", "r-1"));
        await channel.WaitForAsync(2);

        test.Channels.Notify("mem", Notices.Of("c", "r-1", count: 5));
        test.Channels.Notify("mem", Notices.Of("d", "r-1", count: 6));
        test.Channels.Notify("mem", Notices.Of("c", "r-1", count: 7));
        var due = await test.Time.TimerAsync(d => d == TimeSpan.FromMinutes(1));
        Assert.Equal(2, channel.Messages.Count); // the third waits for the minute
        test.Time.AdvanceTo(due);
        var third = (await channel.WaitForAsync(3))[2];

        Assert.Equal(["c", "d"], third.Groups.Select(g => g.Source));
        Assert.Equal(18, third.TotalCount);
        Assert.Equal(12, third.Groups[0].Count);
        Assert.Equal(0, test.Dropped("mem", "queue_full"));
    }

    [Fact]
    public async Task AFullQueueDropsNewNoticesAndCountsThem()
    {
        var (test, channel) = Start(Options(TimeSpan.Zero, capacity: 2));
        await using var _ = test;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Hold = release;
        Assert.True(test.Channels.Notify("mem", Notices.Of("a", "r-1")));
        await channel.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the runner is busy sending

        var queued = Enumerable.Range(0, 5).Select(i => test.Channels.Notify("mem", Notices.Of("a", $"r-{i}"))).ToList();

        Assert.Equal([true, true, false, false, false], queued);
        Assert.Equal(3, test.Dropped("mem", "queue_full"));
        release.SetResult();
        var messages = await channel.WaitForAsync(2);
        Assert.Equal(3, messages.Sum(m => m.TotalCount));
    }

    [Fact]
    public async Task AFailingSendIsRetriedWithBackoffThenSucceeds()
    {
        var (test, channel) = Start(Options(TimeSpan.Zero));
        await using var _ = test;
        channel.FailFirst = 2;
        test.Channels.Notify("mem", Notices.Of("a", "r-1"));

        for (var retry = 0; retry < 2; retry++)
        {
            // Exponential from 1 s with jitter: the first wait is at most 1 s, the second at most 2 s.
            test.Time.AdvanceTo(await test.Time.TimerAsync(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(2 << retry)));
        }

        Assert.Single(await channel.WaitForAsync(1));
        await test.Channels.StopAsync(CancellationToken.None); // the runner has counted what it did
        Assert.Equal(3, channel.Attempts);
        Assert.Equal(1, test.Messages("mem", "sent"));
        Assert.Equal(2, RetriesOf(test));
    }

    private static double RetriesOf(TestChannels test) =>
        new Pipeline.Storage.Alerting.Internal.AlertChannelMetrics(test.Metrics).Retries.WithLabels("mem").Value;

    [Fact]
    public async Task AMessageThatFailsEveryAttemptIsDroppedAndCounted()
    {
        var (test, channel) = Start(Options(TimeSpan.Zero));
        await using var _ = test;
        channel.FailFirst = int.MaxValue;
        test.Channels.Notify("mem", Notices.Of("a", "r-1"));
        test.Channels.Notify("mem", Notices.Of("a", "r-2"));
        for (var retry = 0; retry < 2; retry++)
        {
            test.Time.AdvanceTo(await test.Time.TimerAsync(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(4)));
        }

        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal(3, channel.Attempts);
        Assert.Equal(1, test.Messages("mem", "failed"));
        Assert.Equal(0, test.Messages("mem", "sent"));
        Assert.Equal(2, test.Dropped("mem", "send_failed"));
        var summary = Assert.Single(test.Channels.Summaries);
        Assert.Equal((0L, 1L, 2L), (summary.Sent, summary.Failed, summary.Dropped));
    }

    [Fact]
    public async Task ResolvedNoticesAreDroppedAndCountedWhenSendResolvedIsOff()
    {
        var options = Options(TimeSpan.Zero);
        options.SendResolved = false;
        var (test, channel) = Start(options);
        await using var _ = test;

        Assert.False(test.Channels.Notify("mem", Notices.Of("a", "r-1", AlertNoticeKind.Resolved)));
        Assert.True(test.Channels.Notify("mem", Notices.Of("a", "r-1", AlertNoticeKind.Firing)));

        var message = Assert.Single(await channel.WaitForAsync(1));
        Assert.Equal(AlertNoticeKind.Firing, Assert.Single(message.Groups).Kind);
        Assert.Equal(1, test.Dropped("mem", "resolved_disabled"));
    }

    [Fact]
    public async Task AHungChannelNeitherBlocksTheCallerNorHoldsUpAnotherChannel()
    {
        var hung = new RecordingChannel("hung") { Hold = new TaskCompletionSource() };
        var live = new RecordingChannel("live");
        var test = TestChannels.Start(new() { ["hung"] = Options(TimeSpan.Zero, capacity: 1), ["live"] = Options(TimeSpan.Zero) },
            (name, _) => name == "hung" ? hung : live);
        await using var _ = test;

        test.Channels.Notify("hung", Notices.Of("a", "r-1"));
        await hung.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100; i++)
        {
            test.Channels.Notify("hung", Notices.Of("a", "r-1")); // returns at once: queued or dropped, never waits
            test.Channels.Notify("live", Notices.Of("b", $"r-{i}"));
        }

        var delivered = await live.WaitForAsync(1);
        Assert.Empty(hung.Messages);
        Assert.Equal(99, test.Dropped("hung", "queue_full"));
        Assert.True(delivered.Sum(m => m.TotalCount) >= 1);

        // Stopping is bounded too: after StopTimeout the hung send is abandoned and what it held is counted.
        var stopping = test.Channels.StopAsync(CancellationToken.None);
        await test.Time.FireAsync(test.Channels.StopTimeout);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, test.Dropped("hung", "shutdown")); // the message being sent and the one queued behind it
    }

    [Fact]
    public async Task StoppingSendsWhatIsPendingWithoutWaitingForTheWindow()
    {
        var (test, channel) = Start(Options(TimeSpan.FromHours(1)));
        await using var _ = test;
        test.Channels.Notify("mem", Notices.Of("a", "r-1", count: 4));
        await test.Time.TimerAsync(d => d == TimeSpan.FromHours(1)); // the window is open

        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal(4, Assert.Single(channel.Messages).TotalCount);
        Assert.False(test.Channels.Notify("mem", Notices.Of("a", "r-1")));
        Assert.Equal(1, test.Dropped("mem", "shutdown"));
    }

    [Fact]
    public async Task ANoticeForAnUnknownChannelIsRefusedAndCounted()
    {
        var (test, _) = Start(Options(TimeSpan.Zero));
        await using var __ = test;

        Assert.False(test.Channels.Notify("nope", Notices.Of("a", "r-1")));
        Assert.Equal(1, test.Dropped("nope", "unknown_channel"));
        Assert.Equal(["mem"], test.Channels.Channels);
    }
}
