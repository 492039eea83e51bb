using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Routes;
using Pipeline.Tests.Shared;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;

namespace Pipeline.Alerts.Tests;

/// <summary>
/// Rules with the same match and group-by observe through one feed (one match and one group lookup per event for
/// all of them): each still fires, resolves, restarts, reloads and counts evictions on its own.
/// </summary>
public sealed class AlertFeedTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static AlertRuleOptions Battery(string name, double below) => new()
    {
        Name = name, Kind = "attribute", Condition = $"data.battery < {below}", Match = new RouteMatchOptions { Types = ["status"] },
        GroupBy = ["robot_id"], Channels = ["ops"],
    };

    private static AlertRuleOptions Errors(string name, double threshold, int windowSeconds = 10) => new()
    {
        Name = name, Kind = "threshold", Window = TimeSpan.FromSeconds(windowSeconds), Threshold = threshold,
        Match = new RouteMatchOptions { Levels = ["ERROR"] }, GroupBy = ["robot_id"], Channels = ["ops"],
    };

    private static string[] Many(int count, string robot = "r-1") => [.. Enumerable.Repeat(Event(robot), count)];

    private static List<string> Fired(AlertHarness h) => [.. h.Notifier.Of(AlertNoticeKind.Firing).Select(n => n.Source).Order()];

    private static List<string> Resolved(AlertHarness h) => [.. h.Notifier.Of(AlertNoticeKind.Resolved).Select(n => n.Source).Order()];

    [Fact]
    public void TwoBatteryRulesOnOnePathFireAndResolveEachAtItsOwnThreshold()
    {
        using var h = new AlertHarness(With(Battery("battery-low", 15), Battery("battery-critical", 5)));
        h.Send(AlertHarness.Battery("r-1", 10));
        h.Advance(Second);
        Assert.Equal(["battery-low"], Fired(h));
        Assert.Equal(10, h.Alert("battery-low")!.Value);

        h.Send(AlertHarness.Battery("r-1", 3));
        h.Advance(Second);
        Assert.Equal(["battery-critical", "battery-low"], Fired(h));
        Assert.Equal(3, h.Alert("battery-critical")!.Value);

        h.Send(AlertHarness.Battery("r-1", 8));
        h.Advance(Second);
        Assert.Equal(["battery-critical"], Resolved(h));
        Assert.Equal(AlertState.Firing, h.Alert("battery-low")!.State);

        h.Send(AlertHarness.Battery("r-1", 60));
        h.Advance(Second);
        Assert.Equal(["battery-critical", "battery-low"], Resolved(h));
    }

    [Fact]
    public void ThresholdsOverWindowsOfDifferentLengthsCountEachTheirOwnWindow()
    {
        using var h = new AlertHarness(With(Errors("short", 4, windowSeconds: 10), Errors("long", 6, windowSeconds: 60)));
        h.Send(Many(3));
        h.Run(TimeSpan.FromSeconds(20), Second); // the first 3 left the short window, not the long one
        h.Send(Many(3));
        h.Advance(Second);
        Assert.Equal(["long"], Fired(h));
        Assert.Equal(6, h.Alert("long")!.Value);

        h.Send(Many(1));
        h.Advance(Second);
        Assert.Equal(["long", "short"], Fired(h));
        Assert.Equal(4, h.Alert("short")!.Value);
        Assert.Equal(7, h.Alert("long")!.Value);
    }

    [Fact]
    public void ARateAndAnAbsenceOverTheSameHeartbeatsKeepTheirOwnStates()
    {
        var match = new RouteMatchOptions { Types = ["heartbeat"] };
        var rate = new AlertRuleOptions
        {
            Name = "chatty", Kind = "rate", Window = TimeSpan.FromSeconds(10), Threshold = 1, Match = match, GroupBy = ["robot_id"], Channels = ["ops"],
        };
        var silent = new AlertRuleOptions
        {
            Name = "silent", Kind = "absent", For = TimeSpan.FromSeconds(30), Match = match, GroupBy = ["robot_id"], Channels = ["ops"],
        };
        using var h = new AlertHarness(With(rate, silent));
        h.Send([.. Enumerable.Repeat(Event("r-1", type: "heartbeat", level: "INFO"), 20)]);
        h.Advance(Second);
        Assert.Equal(["chatty"], Fired(h));
        Assert.Null(h.Alert("silent"));

        h.Run(TimeSpan.FromSeconds(40), Second);
        Assert.Equal(["chatty"], Resolved(h));
        Assert.Equal(["chatty", "silent"], Fired(h));

        h.Send(Event("r-1", type: "heartbeat", level: "INFO"));
        h.Advance(Second);
        Assert.Equal(["chatty", "silent"], Resolved(h));
        Assert.Equal(["chatty", "silent"], Fired(h)); // one heartbeat in 10 s is not chatty
    }

    [Fact]
    public void ARestartRestoresEveryFiringRuleOfAFeedWithoutNotifyingAgain()
    {
        using var directory = new TempDirectory();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var rules = With(Errors("errors-2", 2), Errors("errors-3", 3), Errors("errors-9", 9));
        using (var before = new AlertHarness(rules, directory: directory.Path, time: time))
        {
            before.Send(Many(5));
            before.Advance(Second);
            Assert.Equal(["errors-2", "errors-3"], Fired(before));
        }

        using var after = new AlertHarness(rules, directory: directory.Path, time: time);
        after.Advance(Second);
        Assert.Empty(after.Notifier.Notices);
        Assert.Equal(AlertState.Firing, after.Alert("errors-2")!.State);
        Assert.Equal(AlertState.Firing, after.Alert("errors-3")!.State);
        Assert.Null(after.Alert("errors-9"));

        // The window came back with them: 4 more make 9, the third rule fires; later all resolve once.
        after.Send(Many(4));
        after.Advance(Second);
        Assert.Equal(["errors-9"], Fired(after));
        after.Run(TimeSpan.FromSeconds(15), Second);
        Assert.Equal(["errors-2", "errors-3", "errors-9"], Resolved(after));
    }

    [Fact]
    public void AReloadThatMovesOneRuleToAnotherFeedKeepsItsFiringAlertAndTheOtherRulesWindow()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "alerts.json");
        const string Rules = """
            {"Rules":[
              {"Name":"a","Kind":"threshold","Window":"00:00:10","Threshold":3,"GroupBy":["robot_id"],"Channels":["ops"]},
              {"Name":"b","Kind":"threshold","Window":"00:00:10","Threshold":2,"GroupBy":["robot_id"],"Channels":["ops"]}]}
            """;
        File.WriteAllText(path, Rules);
        using var h = new AlertHarness(new AlertsOptions { RulesPath = path });
        h.Send(Many(2));
        h.Advance(Second);
        Assert.Equal(["b"], Fired(h));

        // b now matches ERRORs only (another feed); a is as it was (its feed, with its window of 2, carries over).
        File.WriteAllText(path, Rules.Replace("\"Threshold\":2,", "\"Threshold\":2,\"Match\":{\"Levels\":[\"ERROR\"]},", StringComparison.Ordinal));
        Assert.True(h.Block.RulesFile!.Reload());
        Assert.Equal(AlertState.Firing, h.Alert("b")!.State);
        h.Send(Many(1));
        h.Advance(Second);
        Assert.Equal(["a", "b"], Fired(h)); // a at 3; b not notified again
        Assert.Equal(3, h.Alert("a")!.Value);
    }

    [Fact]
    public void AnEvictionFromASharedFeedCountsForEachOfItsRules()
    {
        var options = With(Errors("errors-a", 100), Errors("errors-b", 200));
        options.MaxGroupsPerRule = 3;
        using var h = new AlertHarness(options);
        h.Send(Event("r-1"), Event("r-2"), Event("r-3"), Event("r-4"), Event("r-5"));
        h.Advance(Second);
        Assert.All(h.Block.Rules(), r => Assert.Equal((3, 2L), (r.Groups, r.GroupsEvicted)));
        Assert.Equal(2, h.Counter("pipeline_alert_groups_evicted_total", "rule=\"errors-a\""));
        Assert.Equal(2, h.Counter("pipeline_alert_groups_evicted_total", "rule=\"errors-b\""));
    }

    [Fact]
    public void MoreRulesOfOneMatchThanAFeedHoldsAllFire()
    {
        var rules = Enumerable.Range(1, 70).Select(i => Errors($"errors-{i:D2}", i)).ToArray();
        using var h = new AlertHarness(With(rules));
        h.Send(Many(69));
        h.Advance(Second);
        Assert.Equal([.. rules.Take(69).Select(r => r.Name!)], Fired(h));
        h.Send(Many(1));
        h.Advance(Second);
        Assert.Equal(70, Fired(h).Count);
    }
}
