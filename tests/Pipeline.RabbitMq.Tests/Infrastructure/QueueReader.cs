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
    private readonly List<(Func<List<Delivered>, bool> Done, TaskCompletionSource Signal)> _waiters = [];
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
                    if (_waiters[i].Done(_messages))
                    {
                        _waiters[i].Signal.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }

            await _channel.BasicAckAsync(e.DeliveryTag, multiple: false);
        };
        await _channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; throws with what did arrive after <paramref name="timeout"/>.</summary>
    public Task<List<Delivered>> WaitForAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(messages => messages.Count >= count, $"{count} messages", timeout);

    /// <summary>
    /// Waits until <paramref name="count"/> different keys arrived (redelivered duplicates do not count, so the
    /// last distinct message is not missed when a duplicate came first).
    /// </summary>
    public Task<List<Delivered>> WaitForDistinctAsync(int count, Func<Delivered, int> key, TimeSpan? timeout = null)
    {
        var seen = new HashSet<int>();
        var scanned = 0;
        return WaitUntilAsync(messages =>
        {
            for (; scanned < messages.Count; scanned++)
            {
                seen.Add(key(messages[scanned]));
            }

            return seen.Count >= count;
        }, $"{count} distinct messages", timeout);
    }

    /// <summary>Waits until <paramref name="done"/> holds for the messages so far (checked at each arrival, under the reader's lock).</summary>
    private async Task<List<Delivered>> WaitUntilAsync(Func<List<Delivered>, bool> done, string what, TimeSpan? timeout)
    {
        await StartAsync();
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (done(_messages))
            {
                return [.. _messages];
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
        }

        try
        {
            await signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Queue {Queue}: {Messages.Count} messages arrived in time, not {what}.");
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
