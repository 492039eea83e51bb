using Pipeline.Blocks.Metrics;
using Prometheus;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>
/// The alert channels' metrics, on the pipeline's own registry (created there once; a second
/// instance on the same registry gets the same collectors).
/// </summary>
internal sealed class AlertChannelMetrics
{
    public AlertChannelMetrics(PipelineMetrics metrics)
    {
        Pipeline = metrics;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Dropped = factory.CreateCounter("pipeline_alert_notices_dropped_total",
            "Notices a channel did not deliver, by reason (queue_full, send_failed, resolved_disabled, unknown_channel, shutdown).",
            new CounterConfiguration { LabelNames = ["channel", "reason"] });
        Messages = factory.CreateCounter("pipeline_alert_messages_total",
            "Messages (digests of notices) a channel sent or gave up on after its last attempt.",
            new CounterConfiguration { LabelNames = ["channel", "result"] });
        Notices = factory.CreateCounter("pipeline_alert_channel_notices_total",
            "Notices a channel queued.", new CounterConfiguration { LabelNames = ["channel"] });
        Retries = factory.CreateCounter("pipeline_alert_send_retries_total",
            "Failed sends of a message that were tried again.", new CounterConfiguration { LabelNames = ["channel"] });
        QueueDepth = factory.CreateGauge("pipeline_alert_channel_queue_depth",
            "Notices waiting in a channel's queue.", new GaugeConfiguration { LabelNames = ["channel"] });
    }

    public PipelineMetrics Pipeline { get; }

    public Counter Dropped { get; }

    public Counter Messages { get; }

    public Counter Notices { get; }

    public Counter Retries { get; }

    public Gauge QueueDepth { get; }
}
