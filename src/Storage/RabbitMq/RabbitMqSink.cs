using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Routes;
using Pipeline.Storage.RabbitMq.Internal;
using Pipeline.Storage.Sinks;
using RabbitMQ.Client;

namespace Pipeline.Storage.RabbitMq;

/// <summary>
/// Publishes the RabbitMQ payload's messages with publisher confirms, persistent and mandatory, at
/// most <see cref="RabbitMqSinkOptions.OutstandingConfirms"/> awaiting their confirm at once, each
/// guarded by <see cref="RabbitMqSinkOptions.PublishTimeout"/>. What was not confirmed stays in the
/// batch (<see cref="SinkBatch.Replace"/>) for the runner's retry and spool, so a broker restart
/// re-sends at most one window. The connection is never trusted to recover by itself: any failure
/// tears it down and the next call reconnects.
/// </summary>
public sealed partial class RabbitMqSink : IBatchSink
{
    private readonly RabbitMqSinkOptions _options;
    private readonly IDeadLetterSink _deadLetters;
    private readonly ILogger _logger;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<RabbitMqMessage> _messages = [];
    private IConnection? _connection;
    private IChannel? _channel;

    public RabbitMqSink(RabbitMqSinkOptions options, RouteTable routes, IDeadLetterSink deadLetters, ILogger logger)
    {
        _options = options;
        _deadLetters = deadLetters;
        _logger = logger;
        Routing = new RabbitMqRouting(options, routes);
        var uri = new Uri(options.Uri ?? throw new ArgumentException("Pipeline:Sinks:RabbitMq:Uri is not set.", nameof(options)));
        _factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = false, // see the class comment: we reconnect ourselves
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = options.ConnectTimeout,
            ContinuationTimeout = options.ConnectTimeout,
            HandshakeContinuationTimeout = options.ConnectTimeout,
            ClientProvidedName = "pipeline",
        };
        Destination = $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? uri.UserInfo.Split(':')[0] + "@" : "")}{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}{uri.AbsolutePath}";
    }

    public string Name => "rabbitmq";

    /// <summary>The broker without its password, for logs.</summary>
    public string Destination { get; }

    internal RabbitMqRouting Routing { get; }

    /// <summary>Whether a connection is open now (tests).</summary>
    internal bool IsConnected => _channel is { IsOpen: true } && _connection is { IsOpen: true };

    /// <summary>An encoder for the runner: the sink's routes and mode.</summary>
    public IBatchEncoder CreateEncoder() => new RabbitMqEncoder(Routing, _options.Mode);

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                MessageFormat.Read(batch.Format, batch.Payload.Span, _messages);
            }
            catch (InvalidDataException ex)
            {
                // A spool record this version cannot read (written by a newer one): counted and said, so the
                // replay goes on with the records behind it instead of probing this one forever.
                throw new SinkRejectedException("unreadable", ex.Message, ex);
            }

            if (batch.State is not PublishState state || state.Returns.Length != _messages.Count)
            {
                state = new PublishState(_messages.Count);
                batch.State = state;
            }

            var outcomes = new PublishOutcome[_messages.Count];
            var broken = await PublishAllAsync(channel, batch, state, outcomes, cancellationToken).ConfigureAwait(false);
            if (broken is not null)
            {
                await TearDownAsync(broken).ConfigureAwait(false);
            }

            Settle(batch, state, outcomes, broken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A one-line reason for the runner's logs.</summary>
    public string Describe(Exception exception) => exception switch
    {
        // The runner's line names the destination already: "Sink rabbitmq: amqp://… cannot be used (refused the credentials …)".
        RabbitMqPublishException or RabbitMqConnectException => WithoutDestination(exception.Message),
        OperationCanceledException => $"no answer from {Destination} in time",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    private string WithoutDestination(string message)
    {
        foreach (var prefix in (string[])[$"RabbitMQ at {Destination} ", $"{Destination}: "])
        {
            if (message.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rest = message[prefix.Length..];
                return rest.StartsWith("is ", StringComparison.Ordinal) ? rest[3..] : rest;
            }
        }

        return message;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await TearDownAsync("disposed").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
