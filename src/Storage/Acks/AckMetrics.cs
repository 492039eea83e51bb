using Pipeline.Blocks.Metrics;
using Prometheus;

namespace Pipeline.Storage.Acks;

/// <summary>The acknowledged-delivery metrics, on the pipeline's registry.</summary>
public sealed class AckMetrics
{
    public AckMetrics(PipelineMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Sent = factory.CreateCounter("pipeline_acks_sent_total", "Acknowledgements sent to robots (each covers every event up to its seq).");
        Duplicates = factory.CreateCounter("pipeline_acks_duplicates_total", "Re-sent events (a seq at or below the highest taken for the boot) dropped, never written twice.");
        Gaps = factory.CreateCounter("pipeline_acks_gaps_total", "Seqs a robot skipped (each gap reported as a seq_gap event).");
        Unnumbered = factory.CreateCounter("pipeline_acks_unnumbered_events_total",
            "Lines of acknowledged connections whose top-level seq is not a positive integer (a robot's bug): taken, never acknowledged.");
        OutOfRange = factory.CreateCounter("pipeline_acks_seq_out_of_range_total",
            "Lines whose seq jumped more than 100,000,000 ahead of the boot's highest: refused (dead-lettered), the boot's numbering kept.");
        Lost = factory.CreateCounter("pipeline_acks_lost_batches_total",
            "Batches of numbered events that did not reach the files (discarded on the way, or the write given up); their robot re-sends them.");
        Streams = factory.CreateGauge("pipeline_acks_streams", "Robot boots whose highest durable seq is remembered.");
        Evicted = factory.CreateCounter("pipeline_acks_streams_evicted_total", "Robot boots forgotten (Pipeline:Acks:MaxStreams, StreamRetention).");
        Delay = factory.CreateHistogram("pipeline_ack_delay_seconds", "From a batch's first numbered line read to the fsync that made it durable (its ack follows).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        Sessions = factory.CreateCounter("pipeline_acks_sessions_total", "Connections that asked for acks, by outcome (accepted, unavailable, bad_hello), and acknowledged connections closed by the server (superseded, resend).",
            new CounterConfiguration { LabelNames = ["outcome"] });
    }

    public Counter Sent { get; }
    public Counter Duplicates { get; }
    public Counter Gaps { get; }
    public Counter Lost { get; }
    public Counter Unnumbered { get; }
    public Counter OutOfRange { get; }
    public Gauge Streams { get; }
    public Counter Evicted { get; }
    public Histogram Delay { get; }
    public Counter Sessions { get; }
}
