namespace Pipeline.Blocks.Routes;

/// <summary>
/// One entry of <c>Pipeline:Routes</c>: which events (<see cref="Match"/>) go where (a RabbitMQ
/// exchange and routing key, alert channels). Routes are tried in order; <see cref="Continue"/>
/// false stops at the first one that matches.
/// </summary>
public sealed class RouteOptions
{
    /// <summary>A name for logs and messages; default <c>route N</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Which events the route takes. Empty: every event.</summary>
    public RouteMatchOptions Match { get; set; } = new();

    /// <summary>Publish matching events to RabbitMQ with this exchange and key; null: the route does not publish.</summary>
    public RouteRabbitMqTarget? RabbitMq { get; set; }

    /// <summary>Alert channel names (<c>Pipeline:Alerts:Channels:&lt;name&gt;</c>) notified of every matching event, for the alerting to come.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>Whether the routes after this one are tried once it matched. Default true.</summary>
    public bool Continue { get; set; } = true;
}
