using System.Net.Sockets;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Storage.RabbitMq;

public sealed partial class RabbitMqSink
{
    /// <summary>The open confirm channel, connecting (within the connect timeout) and declaring the exchanges when there is none.</summary>
    private async Task<IChannel> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open && _connection is { IsOpen: true })
        {
            return open;
        }

        await TearDownAsync("closed").ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ConnectTimeout);
        IConnection? connection = null;
        try
        {
            connection = await _factory.CreateConnectionAsync(deadline.Token).ConfigureAwait(false);
            // No rate limiter: PublishAllAsync awaits each window's confirms before the next, which bounds
            // the outstanding confirms by itself (and avoids the limiter's SemaphoreFullException, #1924).
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                deadline.Token).ConfigureAwait(false);
            foreach (var exchange in Routing.Exchanges)
            {
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false,
                    arguments: null, passive: false, noWait: false, deadline.Token).ConfigureAwait(false);
            }

            _connection = connection;
            _channel = channel;
            RabbitMqLog.Connected(_logger, Destination, string.Join(", ", Routing.Exchanges));
            return channel;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (connection is not null)
            {
                await AbortQuietlyAsync(connection).ConfigureAwait(false);
            }

            throw new RabbitMqConnectException(ConnectFailure(ex), ex);
        }
    }

    private string ConnectFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationFailureException or PossibleAuthenticationFailureException:
                    return $"RabbitMQ at {Destination} refused the credentials ({e.Message}); check the user and password in Pipeline:Sinks:RabbitMq:Uri.";
                case OperationInterruptedException { ShutdownReason.ReplyCode: 530 } refused:
                    return $"RabbitMQ at {Destination} refused access ({refused.ShutdownReason.ReplyText}); check the vhost and the user's permissions in Pipeline:Sinks:RabbitMq:Uri.";
                case OperationInterruptedException { ShutdownReason.ReplyCode: 406 or 403 } declare:
                    return $"RabbitMQ at {Destination} refused declaring the exchanges {string.Join(", ", Routing.Exchanges)} as durable topic exchanges ({declare.ShutdownReason.ReplyText}).";
                case SocketException socket:
                    return $"RabbitMQ at {Destination} is unreachable ({socket.SocketErrorCode}: {socket.Message}).";
            }
        }

        return ex is OperationCanceledException
            ? $"RabbitMQ at {Destination} did not complete the connection within {_options.ConnectTimeout.TotalSeconds:0.###} s (Pipeline:Sinks:RabbitMq:ConnectTimeout)."
            : $"RabbitMQ at {Destination} is unreachable ({ex.GetType().Name}: {ex.Message}).";
    }

    /// <summary>Drops the channel and connection without waiting on a broker that may not answer.</summary>
    private async Task TearDownAsync(string reason)
    {
        var connection = _connection;
        var channel = _channel;
        _connection = null;
        _channel = null;
        if (channel is not null)
        {
            try
            {
                await channel.AbortAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Tearing down a broken channel: its errors are the reason we are here.
            }

            try
            {
                channel.Dispose();
            }
            catch (Exception)
            {
            }
        }

        if (connection is not null)
        {
            await AbortQuietlyAsync(connection).ConfigureAwait(false);
            RabbitMqLog.TornDown(_logger, Destination, reason);
        }
    }

    private static async Task AbortQuietlyAsync(IConnection connection)
    {
        try
        {
            await connection.AbortAsync(TimeSpan.FromSeconds(1)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        try
        {
            connection.Dispose();
        }
        catch (Exception)
        {
        }
    }
}
