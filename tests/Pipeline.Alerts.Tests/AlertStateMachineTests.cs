using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;
using Pipeline.Tests.Shared;

namespace Pipeline.Alerts.Tests;

public sealed class AlertStateMachineTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static AlertRuleOptions Errors(double threshold = 10, double? resolveBelow = null) => new()
    {
        Name = "errors", Kind = "threshold", Window = TimeSpan.FromSeconds(10), Threshold = threshold, ResolveBelow = resolveBelow,
        GroupBy = ["robot_id"], Channels = ["ops", "mail"],
    };

    private static string[] Many(int count, string robot = "r-1") => [.. Enumerable.Repeat(Event(robot), count)];

    /// <summary>r-1's ERRORs fired an errors-only rule, then its connection closed: the alert is offline.</summary>
    private static AlertHarness FiredThenOffline()
    {
        var errorsOnly = Errors(3);
        errorsOnly.Match.MinLevel = "ERROR";
        var h = new AlertHarness(With(errorsOnly));
        h.Send(Many(3));
        h.Advance(Second);
        h.Connection.MarkClosed();
        h.Run(TimeSpan.FromMinutes(1), Second);
        Assert.Equal(AlertState.Offline, h.Alert("errors")!.State);
        return h;
    }

    [Fact]
    public void ResolveBelowKeepsTheAlertFiringUntilTheValueDropsBelowIt()
    {
        using var h = new AlertHarness(With(Errors(10, resolveBelow: 5)));
        h.Send(Many(10));
        h.Advance(Second);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Firing).Count); // one per channel

        // Second 5: 6 more; at second 11 the first 10 left the window, 6 remain (>= 5): still firing.
        h.Run(TimeSpan.FromSeconds(4), Second);
        h.Send(Many(6));
        h.Run(TimeSpan.FromSeconds(6), Second);
        Assert.Equal(AlertState.Firing, h.Alert("errors")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));

        h.Run(TimeSpan.FromSeconds(5), Second);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Resolved).Count);
    }

    [Fact]
    public void KeepFiringForHoldsTheAlertAfterTheConditionClears()
    {
        var rule = Errors(1);
        rule.KeepFiringFor = TimeSpan.FromSeconds(30);
        using var h = new AlertHarness(With(rule));
        h.Send(Many(1));
        h.Advance(Second);
        h.Run(TimeSpan.FromSeconds(35), Second); // clear from second 10
        Assert.Equal(AlertState.Firing, h.Alert("errors")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));

        h.Run(TimeSpan.FromSeconds(10), Second);
        Assert.NotEmpty(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void RepeatIntervalNotifiesAStillFiringAlertAgain()
    {
        var rule = Errors(1);
        rule.Channels = ["ops"];
        rule.RepeatInterval = TimeSpan.FromMinutes(1);
        using var h = new AlertHarness(With(rule));
        for (var i = 0; i < 150; i++)
        {
            h.Send(Many(1));
            h.Advance(Second);
        }

        Assert.Equal(3, h.Notifier.Of(AlertNoticeKind.Firing).Count); // at 1 s, 61 s, 121 s
        Assert.Equal(3, h.Alert("errors")!.NotificationsSent);
    }

    [Fact]
    public void AGroupThatFlapsIsHeldFiringMarkedFlappingUntilStable()
    {
        var rule = Errors(1);
        rule.Channels = ["ops"];
        var options = With(rule);
        options.Flapping = new AlertFlappingOptions { Changes = 4, Within = TimeSpan.FromMinutes(10) };
        using var h = new AlertHarness(options);
        for (var cycle = 0; cycle < 3; cycle++)
        {
            h.Send(Many(1));
            h.Run(TimeSpan.FromSeconds(15), Second); // fires, then resolves after the 10 s window
        }

        var notices = h.Notifier.Notices.Select(n => n.Notice).ToList();
        // fire, resolve, fire; the second resolve would be the 4th change in 10 minutes: held instead.
        Assert.Equal(1, notices.Count(n => n.Kind == AlertNoticeKind.Resolved));
        var flapping = notices[^1];
        Assert.Equal(AlertNoticeKind.Firing, flapping.Kind);
        Assert.True(flapping.Flapping);
        var alert = h.Alert("errors")!;
        Assert.Equal(AlertState.Firing, alert.State);
        Assert.True(alert.Flapping);

        // Quiet for Within: resolves once, no longer flapping.
        h.Run(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Resolved).Count);
        Assert.Null(h.Alert("errors"));
    }

    [Fact]
    public void AClosedConnectionPutsTheAlertOfflineWithoutAResolvedNoticeAndReconnectResolvesNormally()
    {
        using var h = new AlertHarness(With(Errors(3)));
        h.Send(Many(3));
        h.Advance(Second);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Firing).Count);

        h.Connection.MarkClosed();
        h.Run(TimeSpan.FromMinutes(2), Second);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));
        Assert.Equal(AlertState.Offline, h.Alert("errors")!.State);
        Assert.Equal(1, h.Counter("pipeline_alert_active", "rule=\"errors\"", "state=\"offline\""));

        // Reconnects and sends something harmless: not over any more, so it resolves the normal way.
        h.Connection = h.NewConnection();
        h.Send(Event("r-1"));
        h.Advance(Second);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Resolved).Count);
    }

    [Fact]
    public void ARobotThatReconnectsAndOnlySendsHeartbeatsBringsItsErrorAlertBackAndItResolves()
    {
        using var h = FiredThenOffline();

        // The rule never sees an INFO event, but the robot is back on an open connection: normal evaluation again.
        h.Connection = h.NewConnection();
        h.Send(Event("r-1", type: "heartbeat", level: "INFO"));
        h.Advance(Second);
        Assert.Null(h.Alert("errors"));
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Resolved).Count);
    }

    [Fact]
    public void AnotherRobotReconnectingDoesNotBringThisRobotsAlertBack()
    {
        using var h = FiredThenOffline();
        h.Connection = h.NewConnection();
        h.Send(Event("r-2", type: "heartbeat", level: "INFO"));
        h.Run(TimeSpan.FromMinutes(1), Second);
        Assert.Equal(AlertState.Offline, h.Alert("errors")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void ErrorsSentJustBeforeTheRobotDisconnectedStillFireAndThenWaitOffline()
    {
        using var h = new AlertHarness(With(Errors(3)));
        h.Send(Many(3));
        h.Connection.MarkClosed();
        h.Advance(Second);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Firing).Count);

        h.Run(TimeSpan.FromMinutes(1), Second);
        Assert.Equal(AlertState.Offline, h.Alert("errors")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void AReconnectedRobotStillOverKeepsFiringWithoutANewFiringNotice()
    {
        using var h = new AlertHarness(With(Errors(3)));
        h.Send(Many(3));
        h.Advance(Second);
        h.Connection.MarkClosed();
        h.Advance(Second);
        Assert.Equal(AlertState.Offline, h.Alert("errors")!.State);

        h.Connection = h.NewConnection("websocket");
        h.Send(Many(3));
        h.Advance(Second);
        Assert.Equal(AlertState.Firing, h.Alert("errors")!.State);
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Firing).Count);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void ARestartWithAFiringAlertDoesNotNotifyItAgainAndStillResolvesLater()
    {
        using var directory = new TempDirectory();
        var rule = Errors(3);
        rule.Channels = ["ops"];
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using (var before = new AlertHarness(With(rule), directory: directory.Path, time: time))
        {
            before.Send(Many(3));
            before.Advance(Second);
            Assert.Single(before.Notifier.Of(AlertNoticeKind.Firing));
        }

        Assert.True(File.Exists(Path.Combine(directory.Path, "state.json")));
        using var after = new AlertHarness(With(rule), directory: directory.Path, time: time);
        after.Advance(Second);
        var alert = after.Alert("errors", "robot_id=r-1")!;
        Assert.Equal(AlertState.Firing, alert.State);
        Assert.Equal(1, alert.NotificationsSent);
        Assert.Empty(after.Notifier.Notices);

        after.Run(TimeSpan.FromSeconds(12), Second);
        Assert.Empty(after.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Single(after.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void ASilencedAlertDoesNotNotifyShowsSilencedAndNotifiesOnceTheSilenceExpires()
    {
        var rule = Errors(1);
        rule.Channels = ["ops"];
        using var h = new AlertHarness(With(rule));
        h.Block.Silences.Add(new Silence
        {
            Matchers = [new SilenceMatcher { Name = "robot_id", Value = "r-[0-9]+", IsRegex = true }],
            Until = h.Time.GetUtcNow().AddMinutes(1),
            CreatedBy = "ops",
            Comment = "maintenance",
        });
        for (var i = 0; i < 30; i++)
        {
            h.Send(Many(1));
            h.Advance(Second);
        }

        Assert.Empty(h.Notifier.Notices);
        var alert = h.Alert("errors")!;
        Assert.True(alert.Silenced);
        Assert.Equal(AlertState.Firing, alert.State);
        Assert.Equal(1, h.Counter("pipeline_alert_notices_silenced_total", "rule=\"errors\""));

        for (var i = 0; i < 40; i++)
        {
            h.Send(Many(1));
            h.Advance(Second);
        }

        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Empty(h.Block.Silences.List()); // expired and removed
    }

    [Fact]
    public void GroupsPastMaxGroupsPerRuleEvictTheLeastRecentlySeenAndAreCounted()
    {
        var options = With(Errors(100));
        options.MaxGroupsPerRule = 3;
        using var h = new AlertHarness(options);
        h.Send(Event("r-1"), Event("r-2"), Event("r-3"), Event("r-1"), Event("r-4"), Event("r-5"));
        h.Advance(Second);
        var rule = Assert.Single(h.Block.Rules());
        Assert.Equal(3, rule.Groups);
        Assert.Equal(2, rule.GroupsEvicted);
        Assert.Equal(2, h.Counter("pipeline_alert_groups_evicted_total", "rule=\"errors\""));
    }
}
