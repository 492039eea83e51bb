using System.Text;
using Microsoft.Extensions.Primitives;
using Pipeline.Ingest.Tail;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary>The tail's index of viewers: those following a robot are found by its hash, the rest are offered every event.</summary>
public sealed class TailRoutingTests
{
    private static TailSubscriber Viewer(params (string Key, string Value)[] query)
    {
        Assert.True(TailFilter.TryParse(query.Select(q => KeyValuePair.Create(q.Key, new StringValues(q.Value))), out var filter, out _, out var error), error);
        return new TailSubscriber(filter, 16);
    }

    [Fact]
    public void ViewersOfARobotAreFoundByItsHashAndTheOthersAreOfferedEveryEvent()
    {
        var r1 = Viewer(("robot", "r-1"));
        var r1Warnings = Viewer(("robot", "r-1"), ("level", "warning"));
        var r2 = Viewer(("robot", "r-2"));
        var errors = Viewer(("level", "error"));
        var grep = Viewer(("grep", "door"));
        var routing = new TailRouting([r1, r2, errors, r1Warnings, grep]);

        Assert.True(routing.ByRobot);
        Assert.Equal([r1, r1Warnings], routing.Of(TailFilter.Hash(Encoding.UTF8.GetBytes("r-1"))));
        Assert.Equal([r2], routing.Of(TailFilter.Hash(Encoding.UTF8.GetBytes("r-2"))));
        Assert.Empty(routing.Of(TailFilter.Hash(Encoding.UTF8.GetBytes("r-3"))));
        Assert.Equal([errors, grep], routing.Others);
        Assert.Equal(5, routing.All.Length);
    }

    [Fact]
    public void WithoutRobotFiltersNoEventIsHashed()
    {
        var routing = new TailRouting([Viewer(("type", "motor"))]);
        Assert.False(routing.ByRobot);
        Assert.Single(routing.Others);
    }
}
