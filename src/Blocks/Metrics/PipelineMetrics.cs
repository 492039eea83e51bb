using Prometheus;

namespace Pipeline.Blocks.Metrics;

/// <summary>
/// Every metric the pipeline exports, on a registry of its own (never prometheus-net's static
/// default), so that two hosts in one test process do not share counters.
/// Names are the contract in DESIGN.md.
/// </summary>
public sealed class PipelineMetrics
{
    public PipelineMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        IngestEvents = factory.CreateCounter("pipeline_ingest_events_total",
            "Lines accepted from robots and handed to the graph.", Labels("protocol"));
        IngestBytes = factory.CreateCounter("pipeline_ingest_bytes_total",
            "Bytes read from robots.", Labels("protocol"));
        IngestConnections = factory.CreateGauge("pipeline_ingest_connections",
            "Open ingest connections.", new GaugeConfiguration { LabelNames = ["protocol"] });
        IngestConnectionsRejected = factory.CreateCounter("pipeline_ingest_connections_rejected_total",
            "Connections refused (limit, auth, tls_handshake).", Labels("protocol", "reason"));
        IngestConnectionsClosed = factory.CreateCounter("pipeline_ingest_connections_closed_total",
            "Connections closed by the server (idle, protocol violations, shutdown).", Labels("protocol", "reason"));
        ComponentEvents = factory.CreateCounter("pipeline_component_events_total",
            "Events into and out of each component.", Labels("component", "direction"));
        ComponentDiscarded = factory.CreateCounter("pipeline_component_discarded_events_total",
            "Events or lines a component discarded, by reason.", Labels("component", "reason"));
        ComponentErrors = factory.CreateCounter("pipeline_component_errors_total",
            "Errors inside a component, by stage.", Labels("component", "stage"));
        SinkWritten = factory.CreateCounter("pipeline_sink_written_events_total",
            "Events acknowledged by the destination.", Labels("sink"));
        SinkSpooled = factory.CreateCounter("pipeline_sink_spooled_events_total",
            "Events written to a sink's disk spool.", Labels("sink"));
        SinkRetries = factory.CreateCounter("pipeline_sink_retries_total",
            "Failed attempts to write a batch that were tried again (before it was spooled or discarded).", Labels("sink"));
        SinkFsyncs = factory.CreateCounter("pipeline_sink_fsyncs_total",
            "fsyncs a sink made to put what it wrote on disk (the files sink's group commit).", Labels("sink"));
        SinkBytes = factory.CreateCounter("pipeline_sink_written_bytes_total",
            "Bytes written to the destination (after compression).", Labels("sink"));
        SinkSpoolPending = factory.CreateGauge("pipeline_sink_spool_pending_events",
            "Events in a sink's disk spool now, waiting to be replayed.", new GaugeConfiguration { LabelNames = ["sink"] });
        SinkSpoolBytes = factory.CreateGauge("pipeline_sink_spool_bytes",
            "Bytes of a sink's disk spool segments on disk now (what its MaxBytes bounds).", new GaugeConfiguration { LabelNames = ["sink"] });
        BlockQueueDepth = factory.CreateGauge("pipeline_block_queue_depth",
            "Batches waiting in a block's input queue.", new GaugeConfiguration { LabelNames = ["block"] });
        TruncatedValues = factory.CreateCounter("pipeline_parse_truncated_values_total",
            "String values the parse block cut to Pipeline:Parse:MaxStringChars characters.");
        TruncatedEvents = factory.CreateCounter("pipeline_parse_truncated_events_total",
            "Events in which the parse block cut at least one string value.");
        RedactedEvents = factory.CreateCounter("pipeline_redact_redacted_events_total",
            "Events in which the redact block replaced at least one secret.");
        UnknownRobotEvents = factory.CreateCounter("pipeline_enrich_unknown_robot_events_total",
            "Events whose robot_id is not in the fleet registry (only counted when a registry is configured).");
        DeadLetters = factory.CreateCounter("pipeline_deadletter_records_total",
            "Records written to the dead-letter files.", Labels("reason"));
        AuthFailures = factory.CreateCounter("pipeline_auth_failures_total",
            "Rejected authentications, by protocol (http, websocket, tcp) and reason (missing_token, unknown_robot, bad_token, blocked, ops_token).",
            Labels("protocol", "reason"));
        DeadLettersDropped = factory.CreateCounter("pipeline_deadletter_dropped_total",
            "Dead-letter records not written because the dead-letter writer was full or failing (the discard itself is still counted).");
    }

    public CollectorRegistry Registry { get; }

    public Counter IngestEvents { get; }
    public Counter IngestBytes { get; }
    public Gauge IngestConnections { get; }
    public Counter IngestConnectionsRejected { get; }
    public Counter IngestConnectionsClosed { get; }
    public Counter ComponentEvents { get; }
    public Counter ComponentDiscarded { get; }
    public Counter ComponentErrors { get; }
    public Counter SinkWritten { get; }
    public Counter SinkSpooled { get; }
    public Counter SinkRetries { get; }
    public Counter SinkBytes { get; }
    public Counter SinkFsyncs { get; }
    public Gauge BlockQueueDepth { get; }
    public Gauge SinkSpoolPending { get; }
    public Gauge SinkSpoolBytes { get; }
    public Counter TruncatedValues { get; }
    public Counter TruncatedEvents { get; }
    public Counter RedactedEvents { get; }
    public Counter UnknownRobotEvents { get; }
    public Counter DeadLetters { get; }
    public Counter DeadLettersDropped { get; }
    public Counter AuthFailures { get; }

    /// <summary>Counters for one component, looked up once.</summary>
    public ComponentMetrics ForComponent(string component) => new(this, component);

    /// <summary>Runs before every scrape, for gauges read from live state (queue depths).</summary>
    public void OnCollect(Action refresh) => Registry.AddBeforeCollectCallback(refresh);

    /// <summary>Writes the Prometheus text exposition.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    private static CounterConfiguration Labels(params string[] names) => new() { LabelNames = names };
}
