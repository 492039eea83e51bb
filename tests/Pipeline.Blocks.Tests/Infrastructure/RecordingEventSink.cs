using System.Collections.Concurrent;
using System.Text;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Blocks.Tests.Infrastructure;

/// <summary>
/// A sink that records the <c>msg</c> of every event it receives, in order, then releases the batch,
/// as a real sink does once its destination acknowledged it. An optional gate holds every batch
/// until it is opened, to play a slow destination.
/// </summary>
internal sealed class RecordingEventSink : IEventSink
{
    private readonly ActionBlock<EventBatch> _block;
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly ConcurrentQueue<(string Msg, ulong TemplateId)> _templateIds = new();
    private readonly ConcurrentQueue<EventBatch> _batches = new();
    private readonly Task? _gate;

    public RecordingEventSink(string name, int boundedCapacity = 4, Task? gate = null)
    {
        Name = name;
        _gate = gate;
        _block = new ActionBlock<EventBatch>(ReceiveAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = boundedCapacity });
    }

    public string Name { get; }

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    public SinkHealth Health => SinkHealth.Healthy;

    public IReadOnlyList<string> Messages => [.. _messages];

    /// <summary>Every event's <c>msg</c> with the template id it arrived with.</summary>
    public IReadOnlyList<(string Msg, ulong TemplateId)> TemplateIds => [.. _templateIds];

    /// <summary>The batches received. They have been released: read them only while nothing rents from the pool.</summary>
    public IReadOnlyList<EventBatch> Batches => [.. _batches];

    private async Task ReceiveAsync(EventBatch batch)
    {
        if (_gate is not null)
        {
            await _gate.ConfigureAwait(false);
        }

        _batches.Enqueue(batch);
        foreach (var e in batch.Events)
        {
            var msg = Encoding.UTF8.GetString(batch[e.Msg]);
            _messages.Enqueue(msg);
            _templateIds.Enqueue((msg, e.TemplateId));
        }

        batch.Release();
    }
}
