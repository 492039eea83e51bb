namespace Pipeline.Blocks.Routes;

/// <summary>Where a route publishes (<c>Pipeline:Routes:N:RabbitMq</c>).</summary>
public sealed class RouteRabbitMqTarget
{
    /// <summary>The exchange (declared as a durable topic exchange at connect). Null: the sink's <c>Exchange</c>.</summary>
    public string? Exchange { get; set; }

    /// <summary>The routing-key template (<c>{level}</c>, <c>{type}</c>, <c>{robot_id}</c>, <c>{site}</c>, <c>{level_code}</c>). Null: the sink's <c>RoutingKey</c>.</summary>
    public string? RoutingKey { get; set; }
}
