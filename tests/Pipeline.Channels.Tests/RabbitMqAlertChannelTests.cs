using System.Text.Json.Nodes;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Storage.Alerting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipeline.Channels.Tests;

/// <summary>The RabbitMQ channel against the real broker that test.sh starts.</summary>
public sealed class RabbitMqAlertChannelTests
{
    private static string Uri => Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable)!;

    [RabbitMqFact]
    public async Task EachDigestIsOnePersistentConfirmedJsonMessageWithItsRoutingKey()
    {
        var exchange = $"alerts.{Guid.NewGuid():N}"[..20];
        await using var connection = await new ConnectionFactory { Uri = new Uri(Uri) }.CreateConnectionAsync();
        await using var reader = await connection.CreateChannelAsync();
        await reader.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = (await reader.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await reader.QueueBindAsync(queue, exchange, "alert.critical.#");
        var arrived = new TaskCompletionSource<BasicDeliverEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(reader);
        consumer.ReceivedAsync += (_, e) =>
        {
            arrived.TrySetResult(new BasicDeliverEventArgs(e.ConsumerTag, e.DeliveryTag, e.Redelivered, e.Exchange, e.RoutingKey,
                e.BasicProperties, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        await reader.BasicConsumeAsync(queue, autoAck: true, consumer);

        // No Uri of its own: the RabbitMQ sink's.
        await using var test = TestChannels.Start(new()
        {
            ["mq"] = new AlertChannelOptions { Type = AlertChannelType.RabbitMq, Exchange = exchange, GroupWait = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromHours(1) },
        }, defaultRabbitMqUri: Uri);
        test.Channels.Notify("mq", Notices.Of("battery.low", "r-7", count: 4));
        test.Channels.Notify("mq", Notices.Of("battery.low", "r-8", count: 1));

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        var message = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal("alert.critical.battery_low", message.RoutingKey);
        Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
        Assert.Equal("application/json", message.BasicProperties.ContentType);
        var body = JsonNode.Parse(message.Body.Span)!;
        Assert.Equal("4", (string)body["version"]!);
        Assert.Equal("mq", (string)body["receiver"]!);
        Assert.Equal([4L, 1L], body["alerts"]!.AsArray().Select(a => long.Parse((string)a!["annotations"]!["count"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1, test.Messages("mq", "sent"));
    }

    [RabbitMqFact]
    public async Task AMessageNoQueueTakesFailsWithTheBrokersReason()
    {
        var exchange = $"alerts.{Guid.NewGuid():N}"[..20];
        await using var test = TestChannels.Start(new()
        {
            ["mq"] = new AlertChannelOptions { Type = AlertChannelType.RabbitMq, Uri = Uri, Exchange = exchange, Timeout = TimeSpan.FromHours(1) },
        });

        var result = await test.Channels.TestAsync("mq", CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("returned the message unroutable (312 NO_ROUTE): no queue is bound to routing key 'alert.info.pipeline_test'.", result.Error,
            StringComparison.Ordinal);

        await using var connection = await new ConnectionFactory { Uri = new Uri(Uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeleteAsync(exchange);
    }
}
