using System.Buffers;
using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Assigns every event with a <c>msg</c> to a template of the shared <see cref="TemplateMiner"/>:
/// sets <see cref="EventRecord.TemplateId"/> and <see cref="EventRecord.Template"/> and the
/// template's last-seen time. Runs after redact, so templates and their examples never hold secrets.
/// Safe with any <c>MaxDegreeOfParallelism</c>: the miner is thread-safe and never creates twin
/// templates. A message that fits a template allocates nothing. Events of type <c>pattern_anomaly</c>
/// (the anomalies this block's observer found, fed back into the graph) are not mined: they would
/// make templates of their own and feed the detector its own output.
/// </summary>
public sealed class PatternMineBlock : IBatchProcessor
{
    private readonly TemplateMiner _miner;
    private readonly TimeProvider _time;
    private readonly ComponentMetrics _metrics;
    private readonly IPatternObserver[] _observers;

    /// <param name="miner">The miner shared with the API, the snapshots and the ClickHouse patterns table.</param>
    /// <param name="observers">
    /// Told of each template a message of this block created, and of each batch (anomaly detection, the
    /// ClickHouse patterns table). Null entries are skipped, so optional services can be passed as they are.
    /// </param>
    public PatternMineBlock(TemplateMiner miner, TimeProvider time, PipelineMetrics metrics, params IPatternObserver?[]? observers)
    {
        _miner = miner;
        _time = time;
        _metrics = metrics.ForComponent(Name);
        _observers = observers is null ? [] : [.. observers.OfType<IPatternObserver>()];

        // The table's size and its evictions, read from the miner at each scrape (nothing per event).
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        var templates = factory.CreateGauge("pipeline_pattern_templates", "Templates the pattern miner keeps.");
        var evicted = factory.CreateCounter("pipeline_pattern_evicted_templates_total",
            "Templates dropped, least recently seen first, to stay within Pipeline:PatternMine:MaxTemplates.");
        metrics.OnCollect(() =>
        {
            templates.Set(miner.TemplateCount);
            evicted.IncTo(miner.EvictedCount);
        });
    }

    public string Name => "pattern_mine";

    public void Process(EventBatch batch)
    {
        var events = batch.Events;
        _metrics.In.Inc(events.Length);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var errors = _observers.Length == 0 ? [] : ArrayPool<int>.Shared.Rent(events.Length);
        var errorCount = 0;
        for (var i = 0; i < events.Length; i++)
        {
            ref var e = ref events[i];
            if (IsAnomalyEvent(batch, ref e))
            {
                continue;
            }

            if (e.Level >= EventLevel.Error && errors.Length != 0)
            {
                errors[errorCount++] = i;
            }

            if (e.Msg.IsEmpty)
            {
                continue;
            }

            var match = _miner.AddJsonEscaped(batch[e.Msg]);
            var template = match.Template;
            template.Seen(now);
            e.TemplateId = template.Id;
            e.Template = template;
            if (match.Kind == MatchKind.Created)
            {
                template.SetExample(ExampleOf(batch[e.Msg]));
                foreach (var observer in _observers)
                {
                    observer.OnCreated(template, batch, i);
                }
            }
        }

        if (errors.Length != 0)
        {
            foreach (var observer in _observers)
            {
                observer.Observe(batch, errors.AsSpan(0, errorCount));
            }

            ArrayPool<int>.Shared.Return(errors);
        }

        _metrics.Out.Inc(events.Length);
    }

    /// <summary>Whether the event is one the anomaly detection made (<c>"type":"pattern_anomaly"</c>).</summary>
    internal static bool IsAnomalyEvent(EventBatch batch, ref EventRecord e) =>
        e.Type.Length == AnomalyType.Length && batch[e.Type].SequenceEqual(AnomalyType);

    private static ReadOnlySpan<byte> AnomalyType => "pattern_anomaly"u8;

    private static string ExampleOf(ReadOnlySpan<byte> escaped)
    {
        var limit = Math.Min(escaped.Length, PatternTemplate.MaxExampleChars * 6);
        var buffer = Array.Empty<byte>();
        var text = JsonUnescaper.Unescape(escaped[..limit], ref buffer);
        return Encoding.UTF8.GetString(text);
    }
}
