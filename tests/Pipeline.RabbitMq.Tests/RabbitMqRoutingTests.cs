using Pipeline.Blocks.Routes;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.RabbitMq.Internal;

namespace Pipeline.RabbitMq.Tests;

/// <summary>How the sink walks <c>Pipeline:Routes</c> for one event: in order, Continue=false, PublishUnmatched.</summary>
public sealed class RabbitMqRoutingTests
{
    private readonly MqBatches _batches = new();

    private static RouteOptions Route(string name, int[] codes, string? key, bool @continue = true) => new()
    {
        Name = name,
        Match = new RouteMatchOptions { LevelCodes = [.. codes] },
        RabbitMq = key is null ? null : new RouteRabbitMqTarget { RoutingKey = key },
        Channels = key is null ? ["ops"] : [],
        Continue = @continue,
    };

    /// <summary>The routing-key templates (as written) of the targets an event with this level code goes to.</summary>
    private string[] Targets(int levelCode, bool publishUnmatched, params RouteOptions[] routes)
    {
        var routing = new RabbitMqRouting(new RabbitMqSinkOptions { RoutingKey = "default.{level}", PublishUnmatched = publishUnmatched },
            RouteTable.Compile(routes));
        var batch = _batches.Parsed(MqBatches.Coded(1, levelCode));
        var targets = new PublishTarget?[routes.Length + 1];
        var count = routing.Resolve(batch, in batch.Events[0], targets);
        var names = targets[..count].Select(t => t!.RoutingKey.Template).ToArray();
        batch.Release();
        return names;
    }

    [Fact]
    public void WithoutARabbitMqRouteEveryEventGoesOnceWithTheDefaultKeyEvenWhenPublishUnmatchedIsOff()
    {
        Assert.Equal(["default.{level}"], Targets(9, publishUnmatched: false, Route("alerts", [9], key: null)));
        Assert.Equal(["default.{level}"], Targets(0, publishUnmatched: false));
    }

    [Fact]
    public void EveryMatchingRouteInOrderAndContinueFalseStopsAfterItsMatch()
    {
        RouteOptions[] routes = [Route("a", [9], "a"), Route("b", [9, 1], "b", @continue: false), Route("c", [9, 1], "c")];
        Assert.Equal(["a", "b"], Targets(9, publishUnmatched: true, routes)); // c is not tried
        Assert.Equal(["b"], Targets(1, publishUnmatched: true, routes));      // a did not match
    }

    [Fact]
    public void ContinueFalseOnARouteThatDidNotMatchStopsNothing()
    {
        Assert.Equal(["b", "c"], Targets(1, publishUnmatched: true, Route("a", [9], "a", @continue: false), Route("b", [1], "b"), Route("c", [1], "c")));
    }

    [Fact]
    public void AnEventNoRabbitMqRouteTakesGoesWithTheDefaultKeyOnlyWithPublishUnmatched()
    {
        RouteOptions[] routes = [Route("a", [9], "a")];
        Assert.Equal(["default.{level}"], Targets(1, publishUnmatched: true, routes));
        Assert.Empty(Targets(1, publishUnmatched: false, routes));
    }

    [Fact]
    public void AMatchingChannelOnlyRouteWithContinueFalseHidesTheRabbitMqRoutesAfterIt()
    {
        // It publishes nothing itself, so the event counts as unmatched for RabbitMQ.
        RouteOptions[] routes = [Route("page", [9], key: null, @continue: false), Route("a", [9], "a")];
        Assert.Equal(["default.{level}"], Targets(9, publishUnmatched: true, routes));
        Assert.Empty(Targets(9, publishUnmatched: false, routes));
    }
}
