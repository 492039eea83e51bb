using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Assigns every event with a <c>msg</c> to a template of the shared <see cref="TemplateMiner"/>:
/// sets <see cref="EventRecord.TemplateId"/> and <see cref="EventRecord.Template"/> and the
/// template's last-seen time. Runs after redact, so templates and their examples never hold secrets.
/// Safe with any <c>MaxDegreeOfParallelism</c>: the miner is thread-safe and never creates twin
/// templates. A message that fits a template allocates nothing.
/// </summary>
public sealed class PatternMineBlock : IBatchProcessor
{
    private readonly TemplateMiner _miner;
    private readonly TimeProvider _time;
    private readonly ComponentMetrics _metrics;
    private readonly Action<PatternTemplate, EventBatch, int>? _created;

    /// <param name="miner">The miner shared with the API, the snapshots and the ClickHouse patterns table.</param>
    /// <param name="created">Called once for each template a message of this block created (anomaly detection).</param>
    public PatternMineBlock(TemplateMiner miner, TimeProvider time, PipelineMetrics metrics, Action<PatternTemplate, EventBatch, int>? created = null)
    {
        _miner = miner;
        _time = time;
        _metrics = metrics.ForComponent(Name);
        _created = created;
    }

    public string Name => "pattern_mine";

    public void Process(EventBatch batch)
    {
        var events = batch.Events;
        _metrics.In.Inc(events.Length);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 0; i < events.Length; i++)
        {
            ref var e = ref events[i];
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
                _created?.Invoke(template, batch, i);
            }
        }

        _metrics.Out.Inc(events.Length);
    }

    private static string ExampleOf(ReadOnlySpan<byte> escaped)
    {
        var limit = Math.Min(escaped.Length, PatternTemplate.MaxExampleChars * 6);
        var buffer = Array.Empty<byte>();
        var text = JsonUnescaper.Unescape(escaped[..limit], ref buffer);
        return Encoding.UTF8.GetString(text);
    }
}
