using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Enrich;

/// <summary>
/// Attaches fleet metadata (name, site, model) to each event by robot id. Connection fields
/// (protocol, connection id, remote address, node, receive time) travel once per batch in
/// <see cref="EventBatch.Source"/> and cost nothing per event.
/// </summary>
public sealed class EnrichBlock : IBatchProcessor
{
    private readonly IFleetRegistrySource _registry;
    private readonly ComponentMetrics _metrics;
    private readonly Prometheus.Counter _unknownRobots;

    public EnrichBlock(IFleetRegistrySource registry, PipelineMetrics metrics)
    {
        _registry = registry;
        _metrics = metrics.ForComponent(Name);
        _unknownRobots = metrics.UnknownRobotEvents;
    }

    public string Name => "enrich";

    public void Process(EventBatch batch)
    {
        var events = batch.Events;
        _metrics.In.Inc(events.Length);
        var registry = _registry.Current;
        if (registry.Count > 0)
        {
            long unknown = 0;
            var lastId = Slice.Empty;
            RobotInfo? last = null;
            for (var i = 0; i < events.Length; i++)
            {
                ref var record = ref events[i];
                if (record.RobotId.IsEmpty)
                {
                    continue;
                }

                // Batches come from one connection, usually one robot: reuse the last lookup.
                if (lastId.IsEmpty || !batch[lastId].SequenceEqual(batch[record.RobotId]))
                {
                    lastId = record.RobotId;
                    last = registry.Find(batch[record.RobotId]);
                }

                record.Robot = last;
                if (last is null)
                {
                    unknown++;
                }
            }

            _unknownRobots.Inc(unknown);
        }

        _metrics.Out.Inc(events.Length);
    }
}
