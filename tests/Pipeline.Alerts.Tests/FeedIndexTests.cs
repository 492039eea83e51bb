using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Routes;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;

namespace Pipeline.Alerts.Tests;

/// <summary>
/// An event is checked only against the feeds its type and level admit (the feed index): every rule still sees
/// exactly the events its match takes — types of the same length apart, types no rule names, levels, anomalies.
/// </summary>
public sealed class FeedIndexTests
{
    private static AlertRuleOptions Counting(string name, RouteMatchOptions match) => new()
    {
        Name = name, Kind = "threshold", Window = TimeSpan.FromMinutes(1), Threshold = 1_000_000, Match = match,
        GroupBy = ["robot_id"], Channels = ["ops"],
    };

    [Fact]
    public void EachRuleSeesTheEventsItsTypeAndLevelConditionsTake()
    {
        using var h = new AlertHarness(With(
            Counting("motor", new RouteMatchOptions { Types = ["motor"] }),
            Counting("relay", new RouteMatchOptions { Types = ["relay"] }), // same length as motor
            Counting("warnings", new RouteMatchOptions { MinLevel = "WARNING" }),
            Counting("motor-debug", new RouteMatchOptions { Types = ["motor"], Levels = ["DEBUG"] }),
            Counting("two-types", new RouteMatchOptions { Types = ["relay", "lidar_frame"] }),
            new AlertRuleOptions { Name = "anomalies", Kind = "anomaly", GroupBy = ["robot_id"], Channels = ["ops"] }));

        // One robot per event: a rule's group count is the number of events it took.
        h.Send(
            Event("r-1", type: "motor", level: "ERROR"),
            Event("r-2", type: "relay", level: "INFO"),
            Event("r-3", type: "lidar", level: "CRITICAL"), // a type no rule names
            Event("r-4", type: "motor", level: "DEBUG"),
            Event("r-5", type: "lidar_frame", level: "WARNING"),
            Event("r-6", type: "pattern_anomaly", level: "WARNING"),
            Event("r-7", type: "motorx", level: "INFO"), // a named type's prefix is another type
            Event("r-8", type: "", level: "ERROR"));

        var groups = h.Block.Rules().ToDictionary(r => r.Name, r => r.Groups);
        Assert.Equal(2, groups["motor"]); // r-1, r-4
        Assert.Equal(1, groups["relay"]); // r-2
        Assert.Equal(5, groups["warnings"]); // r-1, r-3, r-5, r-6, r-8
        Assert.Equal(1, groups["motor-debug"]); // r-4
        Assert.Equal(2, groups["two-types"]); // r-2, r-5
        Assert.Equal(1, groups["anomalies"]); // r-6
    }

    [Fact]
    public void AReloadRebuildsTheIndexForTheNewRules()
    {
        using var h = new AlertHarness(With(Counting("motor", new RouteMatchOptions { Types = ["motor"] })));
        h.Send(Event("r-1", type: "relay"));
        Assert.Equal(0, h.Block.Rules().Single().Groups);

        h.Block.Engine.ReplaceRules(new AlertRulesLoader(new AlertsOptions())
            .Compile([Counting("motor", new RouteMatchOptions { Types = ["motor", "relay"] })], "rules").Compiled);
        h.Send(Event("r-2", type: "relay"));
        Assert.Equal(1, h.Block.Rules().Single().Groups);
    }
}
