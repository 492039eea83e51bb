using Pipeline.Tests.Shared.Counting;
using System.Collections.Concurrent;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>
/// An in-memory <see cref="IBatchSink"/> whose writes follow a script: each <see cref="WriteAsync"/>
/// takes the next queued <see cref="SinkStep"/>, or <see cref="Default"/> when none is queued. It
/// records the seqs of every payload it received and of every one it took whole.
/// </summary>
/// <remarks>
/// It acknowledges robots as the files sink does (<see cref="IAcknowledgingSink"/>): a batch's token is durable once
/// the sink took the batch whole (there is no fsync to wait for in memory).
/// </remarks>
internal sealed class ScriptedSink(string name = "scripted") : IBatchSink, IAcknowledgingSink
{
    private readonly ConcurrentQueue<SinkStep> _script = new();
    private readonly List<int[]> _received = [];
    private readonly List<int[]> _accepted = [];
    private volatile SinkStep _default = SinkStep.Succeed;

    public string Name { get; } = name;

    public string Destination => "memory://" + Name;

    /// <summary>What a write does when nothing is queued. Default: succeeds.</summary>
    public SinkStep Default
    {
        get => _default;
        set => _default = value;
    }

    /// <summary>Thrown by <see cref="CheckHealthAsync"/> when set.</summary>
    public Exception? HealthError { get; set; }

    /// <summary>Writes started (counted as they start).</summary>
    public RunningTotal Calls { get; } = new();

    /// <summary>Events of the payloads the sink took whole (counted once taken).</summary>
    public RunningTotal AcceptedEvents { get; } = new();

    public bool Disposed { get; private set; }

    /// <summary>The seqs of every payload received, in call order (failed attempts included).</summary>
    public List<int[]> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The seqs of every payload the sink took whole, in order.</summary>
    public List<int[]> Accepted
    {
        get
        {
            lock (_received)
            {
                return [.. _accepted];
            }
        }
    }

    public List<int> AcceptedSeqs => [.. Accepted.SelectMany(s => s)];

    public void Enqueue(params SinkStep[] steps)
    {
        foreach (var step in steps)
        {
            _script.Enqueue(step);
        }
    }

    public async Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        var seqs = SeqEncoder.Decode(batch.Payload.Span);
        Assert.Equal(batch.Events, seqs.Length);
        Assert.Equal(SeqEncoder.Format, batch.Format);
        lock (_received)
        {
            _received.Add(seqs);
        }

        var step = _script.TryDequeue(out var next) ? next : _default;
        Calls.Add(1);
        await step.RunAsync(batch, cancellationToken).ConfigureAwait(false);
        lock (_received)
        {
            _accepted.Add(seqs);
        }

        AcceptedEvents.Add(seqs.Length);
        if (batch.Ack is { } token)
        {
            batch.Ack = null;
            token.MarkDurable();
        }
    }

    public void AwaitSync(Pipeline.Blocks.Acks.AckToken token) => token.MarkDurable();

    public Task CheckHealthAsync(CancellationToken cancellationToken) => HealthError is { } error ? Task.FromException(error) : Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return default;
    }
}
