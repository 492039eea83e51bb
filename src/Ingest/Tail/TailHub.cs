using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Output;

namespace Pipeline.Ingest.Tail;

/// <summary>
/// The live tail at the fan-out: it sees every batch the sinks see (after redaction, enrichment and pattern mining).
/// Without subscribers a batch costs one volatile read. With subscribers, batches wait in a bounded queue for the tail's
/// own thread, which matches each event against each subscriber's filter, renders a matching event once as the files'
/// JSON line (<see cref="EventJsonWriter"/>) and copies it into each matching subscriber's bounded buffer. A full queue
/// or buffer drops and counts, per subscriber: the fan-out never waits for the tail, nor the tail for a viewer.
/// </summary>
internal sealed partial class TailHub : IEventSink
{
    private readonly TailOptions _options;
    private readonly TailMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Lock _overflowGate = new();
    private readonly Channel<EventBatch> _queue;
    private readonly TailTarget _target;
    private readonly EventJsonWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly Task _loop;
    private volatile TailSubscriber[] _subscribers = [];
    private volatile TailRouting _routing = new([]);
    private volatile int _count;
    private volatile bool _completing;
    private char[] _chars = new char[1024];
    private char[] _overflowChars = new char[1024];
    private long _taken;

    public TailHub(TailOptions options, TailMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _queue = Channel.CreateBounded<EventBatch>(new BoundedChannelOptions(options.BufferBatches)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite says false when full: the batch is counted, never waited for
        });
        _target = new TailTarget(this);
        _loop = Task.Run(LoopAsync);
    }

    public string Name => "tail";

    public ITargetBlock<EventBatch> Input => _target;

    public Task Completion => _loop;

    public SinkHealth Health => SinkHealth.Healthy;

    public SinkSummary Summary => new(Interlocked.Read(ref _taken), 0, 0, null);

    public bool IsDestination => false;

    public TailOptions Options => _options;

    internal bool IsCompleting => _completing;

    /// <summary>Open subscriptions.</summary>
    public int Count => _count;

    /// <summary>Adds a subscriber, unless <see cref="TailOptions.MaxSubscribers"/> are open or the tail has ended.</summary>
    public bool TryAdd(TailFilter filter, out TailSubscriber subscriber)
    {
        subscriber = new TailSubscriber(filter, _options.BufferEvents);
        lock (_gate)
        {
            if (_completing || _subscribers.Length >= _options.MaxSubscribers)
            {
                return false;
            }

            _subscribers = [.. _subscribers, subscriber];
            _routing = new TailRouting(_subscribers);
            _count = _subscribers.Length;
            for (var i = _subscriberWaiters.Count - 1; i >= 0; i--)
            {
                if (_count >= _subscriberWaiters[i].Count)
                {
                    _subscriberWaiters[i].Done.TrySetResult();
                    _subscriberWaiters.RemoveAt(i);
                }
            }
        }

        _metrics.Subscribers.Inc();
        return true;
    }

    public void Remove(TailSubscriber subscriber)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            var left = new TailSubscriber[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, left, 0, index);
            Array.Copy(_subscribers, index + 1, left, index, left.Length - index);
            _subscribers = left;
            _routing = new TailRouting(left);
            _count = left.Length;
        }

        _metrics.Subscribers.Dec();
    }

    /// <summary>A batch from the fan-out (its thread): queued for the tail's thread, or counted as missed, or let go.</summary>
    internal void Take(EventBatch batch)
    {
        if (_count == 0)
        {
            Handled(batch);
            return;
        }

        Interlocked.Add(ref _taken, batch.Count);
        if (_queue.Writer.TryWrite(batch))
        {
            return;
        }

        try
        {
            CountMissed(batch);
        }
        finally
        {
            Handled(batch);
        }
    }

    /// <summary>The fan-out completed: the tail finishes what it has queued and ends every subscription.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completing = true;
        }

        _queue.Writer.TryComplete();
    }

    /// <summary>Ends every subscription now (the service stops: open viewers must not hold up Kestrel's shutdown).</summary>
    public void EndAll()
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.End();
        }
    }

    /// <summary>Filters and queues one batch's events for the subscribers (the tail's thread; tests call it directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // viewers come at any time: the loop is hot from its first batch, not after tiering
    internal void Process(EventBatch batch)
    {
        var routing = _routing;
        if (routing.All.Length == 0)
        {
            return;
        }

        long sent = 0, dropped = 0;
        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            ref readonly var e = ref events[i];
            var robotHash = routing.ByRobot ? TailFilter.Hash(batch[e.RobotId]) : 0;
            var rendered = false;
            if (routing.ByRobot)
            {
                Offer(routing.Of(robotHash), batch, in e, robotHash, ref rendered, ref sent, ref dropped);
            }

            Offer(routing.Others, batch, in e, robotHash, ref rendered, ref sent, ref dropped);
        }

        if (sent > 0)
        {
            _metrics.Sent.Inc(sent);
        }

        if (dropped > 0)
        {
            _metrics.Dropped.Inc(dropped);
        }
    }

    /// <summary>The event to each of <paramref name="subscribers"/> whose filter takes it, rendered once for all of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Offer(TailSubscriber[] subscribers, EventBatch batch, ref readonly EventRecord e, int robotHash, ref bool rendered, ref long sent, ref long dropped)
    {
        foreach (var subscriber in subscribers)
        {
            if (!subscriber.Filter.Matches(batch, in e, robotHash, ref _chars) || !subscriber.Filter.Sampled())
            {
                continue;
            }

            if (!rendered)
            {
                _line.ResetWrittenCount();
                _writer.Write(batch, in e, _line);
                rendered = true;
            }

            if (subscriber.Add(_line.WrittenSpan[..^1])) // without its '\n'
            {
                sent++;
            }
            else
            {
                dropped++;
            }
        }
    }

    /// <summary>The queue was full: each subscriber is told how many of this batch's events it would have had.</summary>
    private void CountMissed(EventBatch batch)
    {
        var subscribers = _subscribers;
        long total = 0;
        lock (_overflowGate) // the fan-out may run several sends at once; the scratch is one
        {
            foreach (var subscriber in subscribers)
            {
                long missed = 0;
                var events = batch.Events;
                for (var i = 0; i < events.Length; i++)
                {
                    var robotHash = subscriber.Filter.HasRobot ? TailFilter.Hash(batch[events[i].RobotId]) : 0;
                    if (subscriber.Filter.Matches(batch, in events[i], robotHash, ref _overflowChars) && subscriber.Filter.Sampled())
                    {
                        missed++;
                    }
                }

                if (missed > 0)
                {
                    subscriber.AddDropped(missed);
                    total += missed;
                }
            }
        }

        if (total > 0)
        {
            _metrics.Dropped.Inc(total);
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            await foreach (var batch in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    Process(batch);
                }
                catch (Exception)
                {
                    // One odd event must not end the tail for everyone: counted, and its viewers do not see that batch.
                    _metrics.Errors.Inc();
                }
                finally
                {
                    Handled(batch);
                    _metrics.ProcessSeconds.Inc(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
        }
        finally
        {
            EndAll();
        }
    }
}
