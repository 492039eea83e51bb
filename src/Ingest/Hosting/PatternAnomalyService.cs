using System.Buffers;
using System.Threading.Tasks.Dataflow;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Closes the anomaly detector's window on a timer and turns each anomaly into an ordinary event
/// (<c>"type":"pattern_anomaly"</c>, level WARNING) sent into the graph's input like a robot's line: it is
/// parsed, redacted, enriched (by its robot_id) and written by every sink, so alert rules and SQL can
/// match it. The pattern-mine block does not mine these events. It feeds the graph
/// (<see cref="LifecycleStage.Ingest"/>), so it stops before the graph drains: a last tick hands out the templates created since the previous one while the graph
/// still runs.
/// </summary>
internal sealed partial class PatternAnomalyService : ILifecycleComponent, IDisposable
{
    private readonly PatternAnomalyDetector _detector;
    private readonly PipelineGraph _graph;
    private readonly EventBatchPool _pool;
    private readonly TimeProvider _time;
    private readonly ComponentMetrics _metrics;
    private readonly ILogger<PatternAnomalyService> _logger;
    private readonly SourceConnection _source;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly PeriodicLoop _loop;

    public PatternAnomalyService(PatternAnomalyDetector detector, PipelineGraph graph, EventBatchPool pool, TimeProvider time,
        PipelineMetrics metrics, Configuration.PipelineSettings settings, ILogger<PatternAnomalyService> logger)
    {
        _detector = detector;
        _graph = graph;
        _pool = pool;
        _time = time;
        _metrics = metrics.ForComponent("pattern_anomalies");
        _logger = logger;
        _source = new SourceConnection("internal", 0, "pattern_anomalies", settings.Enrich.NodeName);
        _loop = new PeriodicLoop(detector.Options.Window, time, cancellationToken => EmitAsync(_detector.Tick(), cancellationToken), ex =>
        {
            // One bad window must not end anomaly detection for good.
            _metrics.Error("tick");
            TickFailed(_logger, ex);
        });
    }

    public LifecycleStage Stage => LifecycleStage.Ingest;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loop.StopAsync().ConfigureAwait(false);

        // The graph is still running (it stops after this service): the last templates still get out.
        await EmitAsync(_detector.Tick(), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _loop.Dispose();

    /// <summary>Sends the anomalies as one batch of NDJSON lines; never drops silently.</summary>
    private async Task EmitAsync(IReadOnlyList<PatternAnomaly> anomalies, CancellationToken cancellationToken)
    {
        if (anomalies.Count == 0)
        {
            return;
        }

        var batch = _pool.Rent();
        batch.Source = _source;
        batch.ReceivedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var anomaly in anomalies)
        {
            _line.ResetWrittenCount();
            WriteEvent(_line, anomaly);
            var slice = batch.Append(_line.WrittenSpan);
            batch.AddLine(slice.Offset, slice.Length);
        }

        _metrics.In.Inc(anomalies.Count);
        bool accepted;
        try
        {
            // Never Post: a full graph makes this wait instead of losing the batch.
            accepted = await _graph.Input.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            batch.Release();
            _metrics.Discarded("shutdown", anomalies.Count);
            throw;
        }

        if (accepted)
        {
            _metrics.Out.Inc(anomalies.Count);
            Emitted(_logger, anomalies.Count);
        }
        else
        {
            // The graph completed already (shutdown): counted, never dropped silently.
            batch.Release();
            _metrics.Discarded("shutdown", anomalies.Count);
        }
    }

    /// <summary>
    /// <c>{"ts":…,"level":"WARNING","type":"pattern_anomaly","robot_id":…,"msg":…,"anomaly":kind,"template_id":…,"template_id_str":"…",
    /// "template":…,"value":…,"baseline":…}</c>: robot_id, template_id and template only when the anomaly has them.
    /// </summary>
    internal static void WriteEvent(IBufferWriter<byte> output, PatternAnomaly anomaly)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("ts", anomaly.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("level", "WARNING");
        json.WriteString("type", PatternAnomalyKinds.EventType);
        if (anomaly.RobotId is not null)
        {
            json.WriteString("robot_id", anomaly.RobotId);
        }

        json.WriteString("msg", anomaly.Message);
        json.WriteString("anomaly", anomaly.Kind.Name());
        if (anomaly.Template is not null)
        {
            Pipeline.Blocks.Output.JsonIds.Write(json, "template_id", anomaly.TemplateId);
            json.WriteString("template", anomaly.Template);
        }

        json.WriteNumber("value", anomaly.Value);
        json.WriteNumber("baseline", Math.Round(anomaly.Baseline, 3));
        json.WriteEndObject();
    }

    [LoggerMessage(1, LogLevel.Debug, "Sent {Count} pattern anomaly event(s) into the graph.")]
    private static partial void Emitted(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Pattern anomaly window failed; detection goes on at the next window.")]
    private static partial void TickFailed(ILogger logger, Exception exception);
}
