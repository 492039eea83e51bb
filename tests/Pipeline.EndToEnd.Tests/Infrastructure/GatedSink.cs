using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Output;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A sink that holds every batch until <see cref="Open"/> is called: a destination that has stalled.
/// Its input is a bounded <see cref="ActionBlock{T}"/>, like a real sink's, so while it is closed the
/// fan-out's <c>SendAsync</c> waits and the graph fills up behind it. It counts the events it got
/// and, when asked to, keeps each one as the normalised NDJSON line the files sink would write.
/// </summary>
public sealed class GatedSink : IEventSink
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActionBlock<EventBatch> _block;
    private readonly bool _record;
    private readonly EventJsonWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _lock = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _events;
    private long _batches;
    private int _maxBatchEvents;
    private long _maxBatchInputBytes;

    public GatedSink(string name, int boundedCapacity, bool open = false, bool record = true)
    {
        Name = name;
        _record = record;
        if (open)
        {
            _gate.SetResult();
        }

        // MaxDegreeOfParallelism 1: the recorder (EventJsonWriter, buffer) is single-threaded.
        _block = new ActionBlock<EventBatch>(ConsumeAsync, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = boundedCapacity,
            MaxDegreeOfParallelism = 1,
        });
    }

    public string Name { get; }

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    public SinkHealth Health => SinkHealth.Healthy;

    /// <summary>Completes when the first batch reached the sink (it is then holding it, if closed).</summary>
    public Task FirstBatch => _firstBatch.Task;

    public long EventCount => Interlocked.Read(ref _events);

    public long BatchCount => Interlocked.Read(ref _batches);

    /// <summary>The most events any one batch held.</summary>
    public int MaxBatchEvents => Volatile.Read(ref _maxBatchEvents);

    /// <summary>The most input bytes (framed lines) any one batch held.</summary>
    public long MaxBatchInputBytes => Interlocked.Read(ref _maxBatchInputBytes);

    /// <summary>The events received, as normalised NDJSON lines (when recording).</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Lets held and future batches through.</summary>
    public void Open() => _gate.TrySetResult();

    /// <summary>Completes once the sink has taken <paramref name="count"/> events in all.</summary>
    public Task WaitForEventsAsync(long count)
    {
        lock (_lock)
        {
            if (EventCount >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private async Task ConsumeAsync(EventBatch batch)
    {
        _firstBatch.TrySetResult();
        try
        {
            await _gate.Task.ConfigureAwait(false);
            if (_record)
            {
                foreach (ref readonly var e in batch.Events)
                {
                    _buffer.ResetWrittenCount();
                    _writer.Write(batch, in e, _buffer);
                    _lines.Enqueue(Encoding.UTF8.GetString(_buffer.WrittenSpan).TrimEnd('\n'));
                }
            }

            Interlocked.Increment(ref _batches);
            // One consumer at a time (MaxDegreeOfParallelism 1): plain max is enough.
            _maxBatchEvents = Math.Max(_maxBatchEvents, batch.Count);
            _maxBatchInputBytes = Math.Max(_maxBatchInputBytes, batch.InputBytes);
            var total = Interlocked.Add(ref _events, batch.Count);
            lock (_lock)
            {
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (total >= _waiters[i].Count)
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
