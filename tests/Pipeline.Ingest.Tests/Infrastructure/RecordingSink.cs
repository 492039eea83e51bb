using System.Text;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A sink that copies every event it receives and lets a test await the moment a condition holds,
/// so tests wait for work with a <see cref="TaskCompletionSource"/> instead of sleeping or polling.
/// Register it with <c>TestPipeline.StartAsync(services: s =&gt; s.AddSingleton&lt;IEventSink&gt;(sink))</c>.
/// </summary>
public sealed class RecordingSink : IEventSink
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly ActionBlock<EventBatch> _block;
    private readonly object _gate = new();
    private readonly List<RecordedEvent> _events = [];
    private readonly List<(Func<IReadOnlyList<RecordedEvent>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private int _batches;

    public RecordingSink(string name = "recording")
    {
        Name = name;
        _block = new ActionBlock<EventBatch>(Record, new ExecutionDataflowBlockOptions { BoundedCapacity = 16 });
    }

    public string Name { get; }

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    /// <summary>What the sink reports to <c>/readyz</c>; a test sets it to play a failed sink.</summary>
    public SinkHealth Health { get; set; } = SinkHealth.Healthy;

    public IReadOnlyList<RecordedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public int Batches
    {
        get
        {
            lock (_gate)
            {
                return _batches;
            }
        }
    }

    /// <summary>Completes once the events received so far satisfy <paramref name="condition"/>.</summary>
    public Task WaitForAsync(Func<IReadOnlyList<RecordedEvent>, bool> condition)
    {
        lock (_gate)
        {
            if (condition(_events))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task.WaitAsync(WaitLimit);
        }
    }

    /// <summary>Completes once an event with each of <paramref name="messages"/> has arrived.</summary>
    public Task WaitForMessagesAsync(params string[] messages) =>
        WaitForAsync(events => messages.All(m => events.Any(e => e.Msg == m)));

    private void Record(EventBatch batch)
    {
        try
        {
            var copies = new List<RecordedEvent>(batch.Count);
            foreach (ref readonly var e in batch.Events)
            {
                copies.Add(new RecordedEvent(
                    batch.Source.Protocol,
                    batch.Source.Id,
                    Encoding.UTF8.GetString(batch[e.RobotId]),
                    Encoding.UTF8.GetString(batch[e.Msg])));
            }

            lock (_gate)
            {
                _batches++;
                _events.AddRange(copies);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Condition(_events))
                    {
                        _waiters[i].Done.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
        finally
        {
            batch.Release();
        }
    }
}
