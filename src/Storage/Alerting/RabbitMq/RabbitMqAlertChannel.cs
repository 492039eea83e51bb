using System.Net.Sockets;
using Pipeline.Storage.Alerting.Webhook;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Storage.Alerting.RabbitMq;

/// <summary>
/// Publishes each digest as one persistent JSON message (the webhook's Alertmanager v4 body) to a
/// durable topic exchange, <c>mandatory</c>, with publisher confirms: sent means the broker confirmed it.
/// </summary>
/// <remarks>
/// A connection of its own, not the RabbitMQ sink's: the sink's connection is torn down and rebuilt
/// by the sink's own writer during outages and carries its confirm window of events, so sharing it
/// would couple an alert to the event backlog (a slow broker for events would delay alerts, and a
/// failed alert publish would tear down the events' channel). Messages are rare, so the cost of
/// one more connection is small. Opened on the first send, torn down after any failure (the client's
/// automatic recovery is not trusted with confirms, rabbitmq-dotnet-client#1930) and reopened on the next.
/// </remarks>
internal sealed class RabbitMqAlertChannel : IAlertChannel
{
    private readonly AlertChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public RabbitMqAlertChannel(string name, AlertChannelOptions options, string uri, TimeProvider time)
    {
        Name = name;
        _options = options;
        _time = time;
        var parsed = new Uri(uri);
        _factory = new ConnectionFactory { Uri = parsed, AutomaticRecoveryEnabled = false, ClientProvidedName = $"pipeline-alerts-{name}" };
        // Never the password.
        Destination = $"rabbitmq {parsed.Host}:{(parsed.IsDefaultPort ? 5672 : parsed.Port)} exchange '{options.Exchange}'";
    }

    public string Name { get; }

    public string Destination { get; }

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var group = message.Groups.Count > 0 ? message.Groups[0] : null;
        var routingKey = group is null ? "alert.remainder" : AlertRoutingKey.Expand(_options.RoutingKey, group);
        var body = WebhookBody.Encode(message, _options.ExternalUrl ?? "");
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            Timestamp = new AmqpTimestamp(_time.GetUtcNow().ToUnixTimeSeconds()),
            Headers = new Dictionary<string, object?> { ["x-alert-status"] = message.Status, ["x-alert-count"] = message.TotalCount },
        };

        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await EnsureOpenAsync(linked.Token).ConfigureAwait(false);
            await channel.BasicPublishAsync(_options.Exchange, routingKey, mandatory: true, properties, body, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await TearDownAsync().ConfigureAwait(false);
            throw new AlertChannelException($"{Name}: {Destination} {Failure(ex, routingKey, deadline.IsCancellationRequested)}", inner: ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open && _connection is { IsOpen: true })
        {
            return open;
        }

        await TearDownAsync().ConfigureAwait(false);
        _connection = await _factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        _channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        await _channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            arguments: null, passive: false, noWait: false, cancellationToken).ConfigureAwait(false);
        return _channel;
    }

    private string Failure(Exception ex, string routingKey, bool timedOut)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PublishReturnException returned:
                    return $"returned the message unroutable ({returned.ReplyCode} {returned.ReplyText}): no queue is bound to routing key '{routingKey}'.";
                case PublishException:
                    return "did not confirm the message (nack).";
                case AuthenticationFailureException or PossibleAuthenticationFailureException:
                    return $"refused the credentials ({e.Message}).";
                case OperationInterruptedException { ShutdownReason: { } reason }:
                    return $"closed the channel ({reason.ReplyCode} {reason.ReplyText}).";
                case SocketException socket:
                    return $"is unreachable ({socket.SocketErrorCode}: {socket.Message}).";
            }
        }

        return timedOut
            ? $"did not confirm the message within {_options.Timeout.TotalSeconds:0.###} s (Timeout)."
            : $"failed ({ex.GetType().Name}: {ex.Message}).";
    }

    private async Task TearDownAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        try
        {
            if (channel is not null)
            {
                await channel.AbortAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                channel.Dispose();
            }
        }
        catch (Exception)
        {
            // Tearing down a broken channel: its errors are the reason we are here.
        }

        try
        {
            if (connection is not null)
            {
                await connection.AbortAsync(TimeSpan.FromSeconds(1)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                connection.Dispose();
            }
        }
        catch (Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await TearDownAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
