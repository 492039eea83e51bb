using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>
/// Consumes one queue (manual acks, acked on arrival) into a list; <see cref="WaitForAsync"/> completes
/// when a count is reached — an event per arrival, no polling.
/// </summary>
public sealed class QueueReader : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly object _gate = new();
    private readonly List<Delivered> _messages = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private bool _consuming;

    internal QueueReader(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        Queue = queue;
    }

    public string Queue { get; }

    public IChannel Channel => _channel;

    public List<Delivered> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public async Task StartAsync()
    {
        if (_consuming)
        {
            return;
        }

        _consuming = true;
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            var headers = e.BasicProperties.Headers is { } h ? new Dictionary<string, object?>(h) : [];
            var message = new Delivered(e.Exchange, e.RoutingKey, e.Body.ToArray(), e.BasicProperties.ContentType, e.BasicProperties.ContentEncoding,
                e.BasicProperties.DeliveryMode == DeliveryModes.Persistent, headers);
            lock (_gate)
            {
                _messages.Add(message);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_messages.Count >= _waiters[i].Count)
                    {
                        _waiters[i].Done.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }

            await _channel.BasicAckAsync(e.DeliveryTag, multiple: false);
        };
        await _channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; throws with what did arrive after <paramref name="timeout"/>.</summary>
    public async Task<List<Delivered>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await StartAsync();
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_messages.Count >= count)
            {
                return [.. _messages];
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Queue {Queue}: {Messages.Count} of {count} messages arrived in time.");
        }

        return Messages;
    }

    /// <summary>Messages in the queue now, as the broker counts them (not consumed).</summary>
    public async Task<uint> BrokerCountAsync() => (await _channel.QueueDeclarePassiveAsync(Queue)).MessageCount;

    /// <summary>Closes the test's connection and keeps the queue (for a durable queue read later).</summary>
    public async Task CloseWithoutDeletingAsync()
    {
        await _connection.AbortAsync(TimeSpan.FromSeconds(2));
        _connection.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.QueueDeleteAsync(Queue);
        }
        catch (Exception)
        {
            // The broker of a private node may be gone already.
        }

        await _connection.AbortAsync(TimeSpan.FromSeconds(2));
        _connection.Dispose();
    }
}
