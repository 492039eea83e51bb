using RabbitMQ.Client;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>The test's own view of a broker (plain RabbitMQ.Client, not the code under test): queues, bindings, consumers.</summary>
public static class Broker
{
    public const string UriVariable = "PIPELINE_TEST_RABBITMQ_URI";

    public static string? UriOrNull => Environment.GetEnvironmentVariable(UriVariable);

    public static string SharedUri => UriOrNull ?? throw new InvalidOperationException($"{UriVariable} is not set.");

    /// <summary>A name no other test uses (exchanges, queues).</summary>
    public static string NewName(string prefix) => $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<IConnection> ConnectAsync(string uri) =>
        await new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    /// <summary>Declares <paramref name="exchange"/> (durable topic, as the sink does) and a queue bound to it with <paramref name="bindings"/>, and starts consuming it.</summary>
    public static async Task<QueueReader> QueueAsync(string uri, string exchange, string queue, string[] bindings, bool durable = false,
        IDictionary<string, object?>? arguments = null)
    {
        var connection = await ConnectAsync(uri);
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: durable, exclusive: false, autoDelete: false, arguments: arguments);
        foreach (var binding in bindings)
        {
            await channel.QueueBindAsync(queue, exchange, binding);
        }

        return new QueueReader(connection, channel, queue);
    }
}
