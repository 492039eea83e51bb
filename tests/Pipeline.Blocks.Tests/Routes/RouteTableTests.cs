using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Routes;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Routes;

/// <summary>
/// <c>Pipeline:Routes</c>: every bad value is named by its key path, and a compiled route matches
/// with AND across its lists and OR within one. (How the RabbitMQ sink walks the table —
/// <c>Continue=false</c>, <c>PublishUnmatched</c> — is tested with the sink: RabbitMqRoutingTests.)
/// </summary>
public sealed class RouteTableTests
{
    private const string Prefix = "Pipeline:Routes";
    private const string Levels = "(DEBUG, INFO, WARNING, ERROR, CRITICAL)";

    private readonly EventBatchPool _pool = SmallPool();

    private static List<string> Validate(params RouteOptions?[] routes)
    {
        var errors = new List<string>();
        RouteTable.Validate(routes!, Prefix, errors);
        return errors;
    }

    private static RouteOptions Route(Action<RouteMatchOptions>? match = null, RouteRabbitMqTarget? rabbitMq = null)
    {
        var route = new RouteOptions { RabbitMq = rabbitMq };
        match?.Invoke(route.Match);
        return route;
    }

    private EventBatch Events(params string[] lines)
    {
        var batch = WithLines(_pool, lines);
        new ParseBlock(new ParseOptions(), new PipelineMetrics(), new RecordingDeadLetterSink()).Process(batch);
        Assert.Equal(lines.Length, batch.Count);
        return batch;
    }

    private static string Line(string level, string type = "nav", string robot = "r1") =>
        $"{{\"ts\":1750000000000,\"robot_id\":\"{robot}\",\"level\":{level},\"type\":\"{type}\",\"msg\":\"m\"}}";

    /// <summary>Which of the batch's events the route matches, by index.</summary>
    private static List<int> Matched(CompiledRoute route, EventBatch batch)
    {
        var matched = new List<int>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (route.Matches(batch, in batch.Events[i]))
            {
                matched.Add(i);
            }
        }

        return matched;
    }

    [Fact]
    public void ValidRoutesHaveNoErrors()
    {
        Assert.Empty(Validate(
            Route(m => { m.Levels = ["ERROR", "warn", "Critical"]; m.MinLevel = "info"; m.LevelCodes = [0, 9, 91, short.MaxValue]; }),
            Route(m => { m.Types = ["nav"]; m.Robots = ["r1"]; m.Sites = ["plant-a"]; m.Templates = [ulong.MaxValue]; },
                new RouteRabbitMqTarget { Exchange = "fleet", RoutingKey = "{level}.{type}.{robot_id}.{site}.{level_code}" }),
            Route(rabbitMq: new RouteRabbitMqTarget()), // exchange and key default to the sink's
            new RouteOptions { Channels = ["ops"] }));
        Assert.Empty(Validate());
    }

    [Fact]
    public void NoRoutesAreValid()
    {
        var errors = new List<string>();
        RouteTable.Validate(null, Prefix, errors);
        Assert.Empty(errors);
        Assert.Same(RouteTable.Empty, RouteTable.Compile(null));
        Assert.Same(RouteTable.Empty, RouteTable.Compile([]));
    }

    [Fact]
    public void AnUnknownLevelNameIsNamedByItsIndex()
    {
        Assert.Equal([$"{Prefix}:0:Match:Levels:1: 'LOUD' is not a level {Levels}."],
            Validate(Route(m => m.Levels = ["ERROR", "LOUD"])));
    }

    [Fact]
    public void AnEmptyLevelNameIsNotALevel()
    {
        Assert.Equal([$"{Prefix}:0:Match:Levels:0: '' is not a level {Levels}."], Validate(Route(m => m.Levels = [""])));
    }

    [Fact]
    public void ABadMinLevelIsNamed()
    {
        Assert.Equal([$"{Prefix}:1:Match:MinLevel: 'SEVERE' is not a level {Levels}."],
            Validate(Route(), Route(m => m.MinLevel = "SEVERE")));
    }

    [Fact]
    public void ANegativeLevelCodeIsNamed()
    {
        var error = Assert.Single(Validate(Route(m => m.LevelCodes = [1, -1])));
        Assert.StartsWith($"{Prefix}:0:Match:LevelCodes:1: must be 0 ", error, StringComparison.Ordinal);
        Assert.EndsWith("(got -1).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ALevelCodeAboveWhatAnEventCanCarryIsNamedWithTheRange()
    {
        Assert.Equal([$"{Prefix}:0:Match:LevelCodes:0: must be 0 to 32767 (got 40000)."], Validate(Route(m => m.LevelCodes = [40000])));
    }

    [Fact]
    public void AnUnknownRoutingKeyPlaceholderIsNamedWithTheKnownOnes()
    {
        Assert.Equal([$"{Prefix}:0:RabbitMq:RoutingKey: unknown placeholder '{{robot}}' in 'fleet.{{robot}}' (known: {{level}}, {{type}}, {{robot_id}}, {{site}}, {{level_code}})."],
            Validate(Route(rabbitMq: new RouteRabbitMqTarget { RoutingKey = "fleet.{robot}" })));
    }

    [Fact]
    public void ARoutingKeyWithAnUnclosedBraceIsNamed()
    {
        Assert.Equal([$"{Prefix}:0:RabbitMq:RoutingKey: '{{' without '}}' at 6 in 'fleet.{{level'."],
            Validate(Route(rabbitMq: new RouteRabbitMqTarget { RoutingKey = "fleet.{level" })));
    }

    [Fact]
    public void ARoutingKeyWithAStrayClosingBraceIsNamed()
    {
        Assert.Equal([$"{Prefix}:0:RabbitMq:RoutingKey: '}}' without '{{' at 5 in 'fleet}}.{{level}}'."],
            Validate(Route(rabbitMq: new RouteRabbitMqTarget { RoutingKey = "fleet}.{level}" })));
    }

    [Fact]
    public void AnEmptyRoutingKeyIsNamed()
    {
        Assert.Equal([$"{Prefix}:0:RabbitMq:RoutingKey: must not be empty."], Validate(Route(rabbitMq: new RouteRabbitMqTarget { RoutingKey = "" })));
    }

    [Fact]
    public void AnEmptyExchangeIsNamed()
    {
        Assert.Equal([$"{Prefix}:0:RabbitMq:Exchange: must be 1 to 255 bytes (the default exchange \"\" cannot be declared), got ''."],
            Validate(Route(rabbitMq: new RouteRabbitMqTarget { Exchange = "" })));
    }

    [Fact]
    public void AnExchangeLongerThan255BytesIsNamed()
    {
        var name = new string('é', 128); // 256 bytes in UTF-8, 128 characters
        var error = Assert.Single(Validate(Route(rabbitMq: new RouteRabbitMqTarget { Exchange = name })));
        Assert.StartsWith($"{Prefix}:0:RabbitMq:Exchange: must be 1 to 255 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMatchValuesAreNamedByList()
    {
        Assert.Equal(
            [$"{Prefix}:0:Match:Types:1: empty value.", $"{Prefix}:0:Match:Robots:0: empty value.", $"{Prefix}:0:Match:Sites:0: empty value."],
            Validate(Route(m => { m.Types = ["nav", ""]; m.Robots = [""]; m.Sites = [""]; })));
    }

    [Fact]
    public void AnEmptyChannelNameIsNamed()
    {
        Assert.Equal([$"{Prefix}:0:Channels:1: empty channel name."], Validate(new RouteOptions { Channels = ["ops", " "] }));
    }

    [Fact]
    public void ANullRouteIsNamed()
    {
        Assert.Equal([$"{Prefix}:1: empty route."], Validate(Route(), null));
    }

    [Fact]
    public void EveryBadValueOfEveryRouteIsReported()
    {
        var errors = Validate(
            Route(m => { m.Levels = ["NOPE"]; m.MinLevel = "LOUD"; }),
            Route(rabbitMq: new RouteRabbitMqTarget { Exchange = "", RoutingKey = "{x}" }));
        Assert.Equal(4, errors.Count);
        Assert.StartsWith($"{Prefix}:0:Match:Levels:0:", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Prefix}:0:Match:MinLevel:", errors[1], StringComparison.Ordinal);
        Assert.StartsWith($"{Prefix}:1:RabbitMq:Exchange:", errors[2], StringComparison.Ordinal);
        Assert.StartsWith($"{Prefix}:1:RabbitMq:RoutingKey:", errors[3], StringComparison.Ordinal);
    }

    [Fact]
    public void CompileKeepsTheOrderNamesAndContinue()
    {
        var table = RouteTable.Compile([new RouteOptions { Name = "logstore" }, new RouteOptions { Continue = false }]);
        Assert.Equal(2, table.Count);
        Assert.Equal("logstore", table[0].Name);
        Assert.Equal("route 1", table[1].Name);
        Assert.Equal([0, 1], [table[0].Index, table[1].Index]);
        Assert.True(table[0].Continue); // the default
        Assert.False(table[1].Continue);
    }

    [Fact]
    public void AnEmptyMatchTakesEveryEvent()
    {
        var route = RouteTable.Compile([Route()])[0];
        var batch = Events(Line("\"DEBUG\""), Line("9"), Line("\"CRITICAL\"", "other", "r9"), "{\"msg\":\"no level, type or robot\"}");
        Assert.Equal([0, 1, 2, 3], Matched(route, batch));
    }

    [Fact]
    public void ListsAreAndedAcrossAndOredWithin()
    {
        var route = RouteTable.Compile([Route(m => { m.Levels = ["ERROR", "critical"]; m.Types = ["nav", "arm"]; m.Robots = ["r1"]; })])[0];
        var batch = Events(
            Line("\"ERROR\""),                  // 0: all three
            Line("\"CRITICAL\"", "arm"),        // 1: the other value of two lists
            Line("\"INFO\""),                   // 2: level not in the list
            Line("\"ERROR\"", "camera"),        // 3: type not in the list
            Line("\"ERROR\"", "nav", "r2"),     // 4: robot not in the list
            "{\"level\":\"ERROR\",\"type\":\"nav\"}"); // 5: no robot at all
        Assert.Equal([0, 1], Matched(route, batch));
    }

    [Fact]
    public void LevelNamesMatchCaseInsensitivelyAndByTheirAliases()
    {
        var route = RouteTable.Compile([Route(m => m.Levels = ["warning"])])[0];
        var batch = Events(Line("\"WARNING\""), Line("\"warn\""), Line("\"Warn\""), Line("\"ERROR\""));
        Assert.Equal([0, 1, 2], Matched(route, batch));
    }

    [Fact]
    public void MinLevelTakesThatLevelAndAbove()
    {
        var route = RouteTable.Compile([Route(m => m.MinLevel = "WARNING")])[0];
        var batch = Events(Line("\"DEBUG\""), Line("\"INFO\""), Line("\"WARNING\""), Line("\"ERROR\""), Line("\"CRITICAL\""));
        Assert.Equal([2, 3, 4], Matched(route, batch));
    }

    [Fact]
    public void LevelCodesMatchOnlyTheNumericLevelTheRobotSent()
    {
        var route = RouteTable.Compile([Route(m => m.LevelCodes = [9, 91])])[0];
        var batch = Events(Line("9"), Line("91"), Line("1"), Line("99"), Line("\"ERROR\""), Line("0"));
        Assert.Equal([0, 1], Matched(route, batch)); // a level sent by name has no code
    }

    [Fact]
    public void LevelCodeZeroMatchesOnlyEventsThatSentZero()
    {
        var route = RouteTable.Compile([Route(m => m.LevelCodes = [0])])[0];
        var batch = Events(Line("0"), Line("\"DEBUG\""), "{\"msg\":\"no level\"}");
        Assert.Equal([0], Matched(route, batch));
    }

    [Fact]
    public void SitesNeverMatchARobotTheRegistryDoesNotKnow()
    {
        var route = RouteTable.Compile([Route(m => m.Sites = ["plant-a"])])[0];
        var batch = Events(Line("\"INFO\""), Line("\"INFO\"", "nav", "r2"));
        batch.Events[1].Robot = new RobotInfo("r2", "R2", "plant-a", "m1");
        Assert.Equal([1], Matched(route, batch));
    }

    [Fact]
    public void TemplatesMatchTheMinedTemplateId()
    {
        var route = RouteTable.Compile([Route(m => m.Templates = [ulong.MaxValue, 7])])[0];
        var batch = Events(Line("\"INFO\""), Line("\"INFO\""), Line("\"INFO\""));
        batch.Events[0].TemplateId = ulong.MaxValue;
        batch.Events[1].TemplateId = 8;
        Assert.Equal([0], Matched(route, batch));
    }
}
