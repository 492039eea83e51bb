using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Routes;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;

namespace Pipeline.Alerts.Tests;

public sealed class AlertRuleKindsTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static AlertRuleOptions Errors(int threshold = 3) => new()
    {
        Name = "motor-errors",
        Kind = "threshold",
        Match = new RouteMatchOptions { Levels = ["ERROR"] },
        Window = TimeSpan.FromMinutes(1),
        Threshold = threshold,
        GroupBy = ["robot_id"],
        Channels = ["ops"],
        Annotations = new() { ["summary"] = "{{robot_id}}: {{count}} errors" },
    };

    [Fact]
    public void ThresholdFiresPerRobotAndResolvesWhenTheWindowEmpties()
    {
        using var h = new AlertHarness(With(Errors()));
        h.Send(Event("r-1"), Event("r-1"), Event("r-1"), Event("r-2"), Event("r-1", level: "INFO"));
        h.Advance(Second);

        var firing = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal("motor-errors", firing.Source);
        Assert.Equal("robot_id=r-1", firing.GroupKey);
        Assert.Equal(3, firing.Count);
        Assert.Equal("r-1: 3 errors", firing.Annotations["summary"]);
        Assert.Equal("motor-errors", firing.Labels["alertname"]);
        Assert.Contains("event of r-1", firing.Example);
        Assert.Null(h.Alert("motor-errors", "robot_id=r-2"));
        Assert.Equal(AlertState.Firing, h.Alert("motor-errors", "robot_id=r-1")!.State);

        h.Run(TimeSpan.FromSeconds(60), Second);
        var resolved = Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
        Assert.Equal("robot_id=r-1", resolved.GroupKey);
        Assert.NotNull(resolved.EndsAt);
        Assert.Null(h.Alert("motor-errors"));
        Assert.Equal("robot_id=r-1", Assert.Single(h.Block.RecentResolved()).GroupKey);
        Assert.Equal(1, h.Counter("pipeline_alert_transitions_total", "rule=\"motor-errors\"", "to=\"firing\""));
        Assert.Equal(2, h.Counter("pipeline_alert_notices_total", "rule=\"motor-errors\""));
    }

    [Fact]
    public void RateFiresAtEventsPerSecondOverTheWindowAndResolves()
    {
        var rule = new AlertRuleOptions { Name = "chatty", Kind = "rate", Window = TimeSpan.FromSeconds(10), Threshold = 2, Channels = ["ops"] };
        using var h = new AlertHarness(With(rule));
        h.Send([.. Enumerable.Repeat(Event("r-1"), 19)]);
        h.Advance(Second);
        Assert.Empty(h.Notifier.Notices); // 1.9/s

        h.Send(Event("r-2"));
        h.Advance(Second);
        var firing = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal(2.0, firing.Value);
        Assert.Equal("", firing.GroupKey);

        h.Run(TimeSpan.FromSeconds(10), Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void AttributeBatteryBelow15FiresAfterForTwoMinutesAndResolvesWhenCharged()
    {
        var rule = new AlertRuleOptions
        {
            Name = "battery-low", Kind = "attribute", Condition = "data.battery < 15", For = TimeSpan.FromMinutes(2),
            GroupBy = ["robot_id"], Channels = ["ops"], Severity = "critical",
        };
        using var h = new AlertHarness(With(rule));
        h.Send(Battery("r-1", 12), Battery("r-2", 80));
        h.Advance(Second);
        Assert.Equal(AlertState.Pending, h.Alert("battery-low", "robot_id=r-1")!.State);
        Assert.Empty(h.Notifier.Notices);

        h.Run(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        var firing = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal(12, firing.Value);
        Assert.Equal("critical", firing.Severity);

        h.Send(Battery("r-1", 60));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void AttributeStringConditionComparesTheValue()
    {
        var rule = new AlertRuleOptions { Name = "manual", Kind = "attribute", Condition = "data.mode == \"manual\"", GroupBy = ["robot_id"], Channels = ["ops"] };
        using var h = new AlertHarness(With(rule));
        h.Send(Battery("r-1", 50));
        h.Advance(Second);
        Assert.Empty(h.Notifier.Notices);

        h.Send(Event("r-1", attributes: "\"data\":{\"mode\":\"manual\"}"));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
    }

    [Fact]
    public void WithinABatchTheNewestEventThatHasTheAttributeGivesTheValueAndTheCondition()
    {
        // A batch is matched newest event first and reads each group's attributes only until they are decided:
        // the result must be what reading every event in order gives — the newest value, events without it skipped.
        var battery = new AlertRuleOptions { Name = "battery-low", Kind = "attribute", Condition = "data.battery < 15", GroupBy = ["robot_id"], Channels = ["ops"] };
        var manual = new AlertRuleOptions { Name = "manual", Kind = "attribute", Condition = "data.mode == \"manual\"", GroupBy = ["robot_id"], Channels = ["ops"] };
        using var h = new AlertHarness(With(battery, manual));
        h.Send(
            Event("r-1", attributes: "\"data\":{\"battery\":80,\"mode\":\"auto\"}"),
            Event("r-2", attributes: "\"data\":{\"battery\":90,\"mode\":\"manual\"}"),
            Event("r-1", attributes: "\"data\":{\"battery\":10,\"mode\":\"manual\"}"),
            Event("r-2", attributes: "\"data\":{\"battery\":5}"),
            Event("r-1", attributes: "\"data\":{\"speed\":3}"),
            Event("r-2", attributes: "\"data\":{\"mode\":\"auto\"}"));
        h.Advance(Second);
        Assert.Equal(["battery-low robot_id=r-1 10", "battery-low robot_id=r-2 5", "manual robot_id=r-1 -"],
            h.Notifier.Of(AlertNoticeKind.Firing).Select(n => $"{n.Source} {n.GroupKey} {n.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}").Order());

        // The next batch starts afresh: its newest values replace these.
        h.Send(Event("r-1", attributes: "\"data\":{\"battery\":70,\"mode\":\"auto\"}"), Event("r-1", attributes: "\"data\":{\"speed\":1}"));
        h.Advance(Second);
        Assert.Equal(["battery-low robot_id=r-1", "manual robot_id=r-1"], h.Notifier.Of(AlertNoticeKind.Resolved).Select(n => $"{n.Source} {n.GroupKey}").Order());
    }

    [Fact]
    public void PendingThatClearsNeverNotifies()
    {
        var rule = new AlertRuleOptions { Name = "battery-low", Kind = "attribute", Condition = "data.battery < 15", For = TimeSpan.FromMinutes(2), Channels = ["ops"] };
        using var h = new AlertHarness(With(rule));
        h.Send(Battery("r-1", 10));
        h.Advance(Second);
        Assert.Equal(AlertState.Pending, h.Alert("battery-low")!.State);

        h.Send(Battery("r-1", 40));
        h.Run(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        Assert.Empty(h.Notifier.Notices);
        Assert.Null(h.Alert("battery-low"));
        Assert.Empty(h.Block.RecentResolved());
    }

    [Fact]
    public void AbsentFiresWhenAConnectedRobotIsSilentFor90SecondsAndResolvesWhenItSpeaks()
    {
        var rule = new AlertRuleOptions { Name = "silent", Kind = "absent", For = TimeSpan.FromSeconds(90), GroupBy = ["robot_id"], Channels = ["ops"] };
        using var h = new AlertHarness(With(rule));
        h.Send(Event("r-1", level: "INFO"));
        h.Run(TimeSpan.FromSeconds(89), Second);
        Assert.Empty(h.Notifier.Notices);

        h.Advance(Second);
        var firing = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal("robot_id=r-1", firing.GroupKey);

        h.Send(Event("r-1", level: "INFO"));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void AbsentLearnsRobotsFromTheFleetRegistry()
    {
        var rule = new AlertRuleOptions { Name = "silent", Kind = "absent", For = TimeSpan.FromSeconds(90), GroupBy = ["robot_id"], Channels = ["ops"] };
        var registry = new StaticFleetRegistrySource(new FleetRegistry([new RobotInfo("r-9", "Nine", "hall-2", "m1")]));
        using var h = new AlertHarness(With(rule), registry: registry);
        h.Advance(Second);
        Assert.Empty(h.Notifier.Notices);

        h.Run(TimeSpan.FromSeconds(90), Second);
        Assert.Equal("robot_id=r-9", Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing)).GroupKey);
    }

    [Fact]
    public void AbsentForARobotWhoseConnectionClosedIsOfflineNotFiring()
    {
        var rule = new AlertRuleOptions { Name = "silent", Kind = "absent", For = TimeSpan.FromSeconds(90), GroupBy = ["robot_id"], Channels = ["ops"] };
        using var h = new AlertHarness(With(rule));
        h.Send(Event("r-1"));
        h.Connection.MarkClosed();
        h.Run(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));
        Assert.Empty(h.Notifier.Notices);
        Assert.Equal(AlertState.Offline, h.Alert("silent")!.State);

        // Back on a new connection: speaking clears the silence, and nothing was ever fired.
        h.Connection = h.NewConnection("websocket");
        h.Send(Event("r-1"));
        h.Advance(Second);
        Assert.Null(h.Alert("silent"));
        Assert.Empty(h.Notifier.Notices);
    }

    [Fact]
    public void ARobotOfflineRuleOnPresenceEventsFiresWhenTheRobotLeavesAndResolvesOnlyWhenItIsBack()
    {
        var rule = new AlertRuleOptions
        {
            Name = "robot_offline", Kind = "attribute", Match = new RouteMatchOptions { Types = ["presence"] },
            Condition = "event == \"robot_offline\"", GroupBy = ["robot_id"], Channels = ["ops"],
        };
        using var h = new AlertHarness(With(rule));
        var sessions = new SourceConnection("internal", 0, "sessions", "test");
        h.Send(Event("r-1", type: "motor", level: "INFO"));
        h.SendOn(sessions, Presence("r-1", "robot_online"));
        h.Advance(Second);
        Assert.Null(h.Alert("robot_offline"));

        // Its connection closes and the service says so: the internal event does not count as the robot being there.
        h.Connection.MarkClosed();
        h.SendOn(sessions, Presence("r-1", "robot_offline"));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        h.Run(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));
        Assert.Equal(AlertState.Offline, h.Alert("robot_offline")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));

        // Back on a new connection: robot_online makes the condition false, and the alert resolves.
        h.Connection = h.NewConnection("websocket");
        h.Send(Event("r-1", type: "motor", level: "INFO"));
        h.SendOn(sessions, Presence("r-1", "robot_online"));
        h.Run(TimeSpan.FromSeconds(5), Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
        Assert.Null(h.Alert("robot_offline"));
    }

    private static string Presence(string robot, string name) =>
        $"{{\"robot_id\":\"{robot}\",\"level\":\"INFO\",\"type\":\"presence\",\"event\":\"{name}\",\"msg\":\"robot {robot} {name}\"}}";

    [Fact]
    public void AnomalyFiresPerTemplateFromPatternAnomalyEventsAndResolvesAfterTheWindow()
    {
        var rule = new AlertRuleOptions
        {
            Name = "new-patterns", Kind = "anomaly", Condition = "anomaly == \"new_template\"", Window = TimeSpan.FromMinutes(5),
            GroupBy = ["robot_id"], Channels = ["ops"],
        };
        using var h = new AlertHarness(With(rule));
        var anomaly = "{\"level\":\"WARNING\",\"type\":\"pattern_anomaly\",\"robot_id\":\"r-3\",\"msg\":\"new template\",\"anomaly\":\"new_template\",\"template_id\":77,\"value\":1,\"baseline\":0}";
        h.SendOn(new SourceConnection("internal", 0, "pattern_anomalies", "test"), anomaly, Event("r-3", type: "other"));
        h.Advance(Second);
        var firing = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal("robot_id=r-3", firing.GroupKey);

        h.Run(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void GroupByAnAttributePathMakesOneAlertPerValue()
    {
        var rule = Errors(threshold: 1);
        rule.GroupBy = ["data.zone"];
        using var h = new AlertHarness(With(rule));
        h.Send(Event("r-1", attributes: "\"data\":{\"zone\":\"A\"}"), Event("r-2", attributes: "\"data\":{\"zone\":\"B\"}"), Event("r-3", attributes: "\"data\":{\"zone\":\"A\"}"));
        h.Advance(Second);
        Assert.Equal(["data.zone=A", "data.zone=B"], h.Notifier.Of(AlertNoticeKind.Firing).Select(n => n.GroupKey).Order());
    }
}
