using System.Text;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>An exchange and routing-key template an event is published to (the sink's default or a route's).</summary>
internal sealed class PublishTarget(string exchange, RoutingKeyTemplate routingKey)
{
    public string Exchange { get; } = exchange;

    public byte[] ExchangeUtf8 { get; } = Encoding.UTF8.GetBytes(exchange);

    public RoutingKeyTemplate RoutingKey { get; } = routingKey;
}
