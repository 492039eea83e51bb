using Pipeline.Blocks.Metrics;
using Prometheus;

namespace Pipeline.Ingest.Tail;

/// <summary>The live tail's metrics, on the pipeline's registry.</summary>
internal sealed class TailMetrics
{
    public TailMetrics(PipelineMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Subscribers = factory.CreateGauge("pipeline_tail_subscribers", "Open live-tail subscriptions (SSE and WebSocket).");
        Sent = factory.CreateCounter("pipeline_tail_events_total", "Events queued for live-tail subscribers (one per subscriber that matched).");
        Dropped = factory.CreateCounter("pipeline_tail_dropped_events_total",
            "Events a live-tail subscriber missed because its buffer was full or the tail was behind (each subscriber is told its own count).");
        Rejected = factory.CreateCounter("pipeline_tail_rejected_total", "Tail subscriptions refused, by reason (limit, bad_parameter).",
            new CounterConfiguration { LabelNames = ["reason"] });
        Errors = metrics.ComponentErrors.WithLabels("tail", "process");
        ProcessSeconds = factory.CreateCounter("pipeline_tail_process_seconds_total",
            "Time the tail's thread spent matching events against the viewers' filters and queueing them (its CPU cost, about).");
    }

    public Counter.Child Errors { get; }
    public Counter ProcessSeconds { get; }

    public Gauge Subscribers { get; }
    public Counter Sent { get; }
    public Counter Dropped { get; }
    public Counter Rejected { get; }
}
