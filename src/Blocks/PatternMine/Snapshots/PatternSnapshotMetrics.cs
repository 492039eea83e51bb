using Pipeline.Blocks.Metrics;
using Prometheus;

namespace Pipeline.Blocks.PatternMine;

/// <summary>Counters of the template snapshots, on the pipeline's registry.</summary>
internal sealed class PatternSnapshotMetrics
{
    public PatternSnapshotMetrics(PipelineMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        var snapshots = factory.CreateCounter("pipeline_pattern_snapshots_total",
            "Template snapshots written to data/patterns/templates.json, by result.", new CounterConfiguration { LabelNames = ["result"] });
        SnapshotsOk = snapshots.WithLabels("ok");
        SnapshotsFailed = snapshots.WithLabels("failed");
        var restores = factory.CreateCounter("pipeline_pattern_snapshot_restores_total",
            "Snapshot loads at start, by result (restored, missing, corrupt).", new CounterConfiguration { LabelNames = ["result"] });
        Restored = restores.WithLabels("restored");
        Missing = restores.WithLabels("missing");
        Corrupt = restores.WithLabels("corrupt");
        HistoryWritten = factory.CreateCounter("pipeline_pattern_history_records_total",
            "Template changes (generalised, merged, evicted) appended to data/patterns/history.ndjson.");
        HistoryDropped = factory.CreateCounter("pipeline_pattern_history_dropped_total",
            "Template changes not written to the history: the change queue was full, or the file could not be written.");
    }

    public Counter.Child SnapshotsOk { get; }

    public Counter.Child SnapshotsFailed { get; }

    public Counter.Child Restored { get; }

    public Counter.Child Missing { get; }

    public Counter.Child Corrupt { get; }

    public Counter HistoryWritten { get; }

    public Counter HistoryDropped { get; }
}
