using System.Text;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>A message as a consumer saw it.</summary>
public sealed record Delivered(string Exchange, string RoutingKey, byte[] Body, string? ContentType, string? ContentEncoding,
    bool Persistent, IReadOnlyDictionary<string, object?> Headers)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>A header as a string (AMQP strings arrive as bytes).</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value)
        ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), null => null, var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) }
        : null;
}
