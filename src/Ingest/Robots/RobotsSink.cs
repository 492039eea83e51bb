using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// A fan-out target that keeps, per robot, what the API shows: events and errors in the last hour, messages per
/// type, when it was last seen, its last <see cref="RobotsOptions.RecentEvents"/> events (after redaction, as the
/// batch holds them, rendered only when asked for) and, from <c>status_update</c> events, its status. It writes nothing out, so it is always
/// healthy; it never allocates per event once a robot and its types are known. Only robots' own events count: the
/// service's events about them (protocol internal) do not. Only the last
/// <see cref="RobotsOptions.RecentEvents"/> events of a robot in a batch are rendered.
/// </summary>
internal sealed class RobotsSink : IEventSink
{
    private readonly RobotRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ActionBlock<EventBatch> _block;
    private readonly Dictionary<int, RobotEntry> _byHash = [];
    private byte[] _scratch = new byte[4096];
    private int _generation;
    private long _batches;
    private readonly List<(int Index, RobotEntry Robot)> _keep = [];
    private readonly Dictionary<RobotEntry, int> _kept = [];
    private readonly int _recent;
    private readonly Lock _waitersGate = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _processed;

    public RobotsSink(RobotRegistry registry, BlockOptions block, TimeProvider time, PipelineMetrics metrics)
    {
        _registry = registry;
        _time = time;
        _recent = registry.Options.RecentEvents;
        _block = new ActionBlock<EventBatch>(Process, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = block.BoundedCapacity,
            MaxDegreeOfParallelism = 1,
        });
        var depth = metrics.BlockQueueDepth.WithLabels("robots");
        metrics.OnCollect(() => depth.Set(_block.InputCount));
    }

    public string Name => "robots";

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    public SinkHealth Health => SinkHealth.Healthy;

    public SinkSummary Summary => new(Interlocked.Read(ref _processed), 0, 0, null);

    public bool IsDestination => false;

    /// <summary>Takes in one batch (the block's work; tests call it directly).</summary>
    internal void Process(EventBatch batch)
    {
        try
        {
            Take(batch);
        }
        finally
        {
            var processed = Interlocked.Add(ref _processed, batch.Count);
            batch.Release();
            Release(processed);
        }
    }

    /// <summary>Completes once <paramref name="count"/> events in all were taken in (for whoever must know the API shows them).</summary>
    internal Task WaitForEventsAsync(long count)
    {
        lock (_waitersGate)
        {
            if (Interlocked.Read(ref _processed) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    private void Release(long processed)
    {
        lock (_waitersGate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (processed >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// The registry's entry for an event's robot_id bytes through a cache of this sink's own, keyed by a hash of the
    /// bytes (checked against the entry's): no decoding and no shared table per event. Dropped when the registry
    /// forgets robots, and when it outgrows the registry's bound.
    /// </summary>
    private RobotEntry Lookup(ReadOnlySpan<byte> id)
    {
        var hash = HashOf(id);
        if (_byHash.TryGetValue(hash, out var cached) && id.SequenceEqual(cached.IdJson))
        {
            return cached;
        }

        var robot = _registry.Robot(id);
        if (robot.IdJson.AsSpan().SequenceEqual(id))
        {
            if (_byHash.Count >= _registry.Options.MaxRobots)
            {
                _byHash.Clear();
            }

            _byHash[hash] = robot;
        }

        return robot;
    }

    private static int HashOf(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <summary>Takes in one batch without releasing it (<see cref="Process"/> releases; benchmarks call this).</summary>
    internal void Take(EventBatch batch)
    {
        if (!batch.Source.IsTransport)
        {
            return; // the service's own events about robots (connections, presence, anomalies) are not their traffic
        }

        _batches++;
        if (_registry.Generation != _generation)
        {
            _generation = _registry.Generation;
            _byHash.Clear();
        }

        var events = batch.Events;
        var now = _time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        RobotEntry? robot = null;
        ReadOnlySpan<byte> robotId = default;
        _keep.Clear();
        _kept.Clear();
        // A batch no longer than a ring: every event of it is among its robot's last, no need to count per robot.
        var keepAll = _recent > 0 && events.Length <= _recent;
        // Backwards, so the events kept are each robot's last in the batch; a batch is one connection, mostly one robot.
        for (var i = events.Length - 1; i >= 0; i--)
        {
            ref readonly var e = ref events[i];
            var id = batch[e.RobotId];
            if (id.IsEmpty)
            {
                continue;
            }

            if (robot is null || !id.SequenceEqual(robotId))
            {
                robot = Lookup(id);
                robotId = id;
                robot.Seen(now);
            }

            robot.Events++;
            robot.EventsLastHour.Add(minute, 1);
            if (e.Level >= EventLevel.Error)
            {
                robot.ErrorsLastHour.Add(minute, 1);
            }

            var type = batch[e.Type];
            robot.Types.Add(type);
            // A status_update event is the robot's status: its attributes. Backwards, the first one is the robot's latest.
            if (robot.StatusBatch != _batches && !e.Attributes.IsEmpty && type.SequenceEqual("status_update"u8))
            {
                robot.StatusBatch = _batches;
                robot.StatusUpdate.Set(batch[e.Attributes], batch.ReceivedAt);
            }

            if (keepAll)
            {
                _keep.Add((i, robot));
            }
            else if (_recent > 0)
            {
                var kept = _kept.GetValueOrDefault(robot);
                if (kept < _recent)
                {
                    _kept[robot] = kept + 1;
                    _keep.Add((i, robot));
                }
            }
        }

        for (var k = _keep.Count - 1; k >= 0; k--)
        {
            var (index, owner) = _keep[k];
            ref readonly var e = ref events[index];
            var size = RecentEvent.Size(in e);
            if (_scratch.Length < size)
            {
                _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
            }

            RecentEvent.Encode(batch, in e, _scratch);
            owner.Recent.Add(_scratch.AsSpan(0, size), (byte)e.Level);
        }
    }
}
