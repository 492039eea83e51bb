using Pipeline.Storage.Alerting;
using Pipeline.Tests.Shared.Counting;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>An in-memory <see cref="IAlertChannel"/>: records each message, fails the first <see cref="FailFirst"/> sends, signals arrivals.</summary>
public sealed class RecordingChannel(string name) : IAlertChannel
{
    private readonly object _gate = new();
    private readonly List<AlertMessage> _messages = [];
    private readonly RunningTotal _arrived = new();
    private int _attempts;

    public string Name { get; } = name;

    public string Destination => "memory";

    /// <summary>Sends that fail before one succeeds; <see cref="int.MaxValue"/>: a dead channel.</summary>
    public int FailFirst { get; set; }

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>When set, every send waits for it (a slow or hung destination).</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Completes when a send starts.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<AlertMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (Interlocked.Increment(ref _attempts) <= FailFirst)
        {
            throw new AlertChannelException($"{Name}: memory refused attempt {_attempts}.");
        }

        lock (_gate)
        {
            _messages.Add(message);
        }

        _arrived.Add(1);
    }

    public async Task<List<AlertMessage>> WaitForAsync(int count)
    {
        await _arrived.WaitForAsync(count, TimeSpan.FromSeconds(30), "messages");
        return Messages;
    }

    public ValueTask DisposeAsync() => default;
}
