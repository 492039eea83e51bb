using Pipeline.Blocks.PatternMine.Anomalies.Internal;

namespace Pipeline.Blocks.PatternMine.Anomalies;

public sealed partial class PatternAnomalyDetector
{
    private readonly Dictionary<ulong, TemplateRateState> _templates = [];

    /// <summary>Templates whose rate is tracked (those in the miner as of the latest tick).</summary>
    public int TrackedTemplates
    {
        get
        {
            lock (_gate)
            {
                return _templates.Count;
            }
        }
    }

    /// <summary>
    /// Messages per second of each template in the latest full window, or null for a template not yet
    /// watched for a full window.
    /// </summary>
    public double?[] RatesPerSecond(IReadOnlyList<PatternTemplate> templates)
    {
        var rates = new double?[templates.Count];
        lock (_gate)
        {
            for (var i = 0; i < rates.Length; i++)
            {
                if (_templates.TryGetValue(templates[i].Id, out var state) && state.RatePerSecond >= 0)
                {
                    rates[i] = state.RatePerSecond;
                }
            }
        }

        return rates;
    }

    /// <summary>
    /// Compares each template's count in the window (its cumulative <see cref="PatternTemplate.Count"/>
    /// minus the count at the previous tick) with its baseline. A template first met here (reloaded from
    /// a snapshot, or created during the warm-up) starts from its current count, so nothing it counted
    /// before is taken for a burst.
    /// </summary>
    private void TickTemplates(long now, long elapsedMs, List<PatternAnomaly> found)
    {
        // Templates merged away: their counts moved into the survivor, which must not look like a burst.
        List<ulong>? gone = null;
        foreach (var (id, state) in _templates)
        {
            var template = state.Template;
            if (template.MergedInto is not null || template.Evicted)
            {
                (gone ??= []).Add(id);
                if (template.MergedInto is not null && _templates.TryGetValue(template.Current.Id, out var survivor))
                {
                    survivor.MergedInto = true;
                }
            }
        }

        foreach (var id in gone ?? [])
        {
            _templates.Remove(id);
        }

        var cooldown = (long)_options.Cooldown.TotalMilliseconds;
        foreach (var template in _miner.GetTemplates())
        {
            if (template.MergedInto is not null || template.Evicted)
            {
                continue;
            }

            var count = template.Count;
            if (!_templates.TryGetValue(template.Id, out var state))
            {
                _templates[template.Id] = new TemplateRateState(template, count) { SeenInTick = _tick };
                continue;
            }

            state.SeenInTick = _tick;
            var delta = Math.Max(0, count - state.LastCount);
            state.LastCount = count;
            state.RatePerSecond = delta * 1000.0 / Math.Max(1, elapsedMs);
            if (state.MergedInto)
            {
                state.MergedInto = false;
                continue;
            }

            var before = state.Baseline.Value;
            if (state.Baseline.Add(delta, _alpha, _options.BaselineWindows, _options.MinEvents, _options.SpikeFactor, now, cooldown, out var coolingDown))
            {
                if (coolingDown)
                {
                    _suppressed.WithLabels(PatternAnomalyKind.TemplateRateSpike.Name(), "cooldown").Inc();
                    continue;
                }

                var text = template.Text;
                found.Add(new PatternAnomaly
                {
                    Kind = PatternAnomalyKind.TemplateRateSpike,
                    Time = DateTimeOffset.FromUnixTimeMilliseconds(now),
                    TemplateId = template.Id,
                    Template = text,
                    Value = delta,
                    Baseline = before,
                    Message = $"Log pattern {template.Id:x16} spiked: {delta} messages in {WindowText}, {Versus(delta, before)}: {text}",
                });
            }
        }

        // States of templates the miner no longer has (evicted between the checks above) go too.
        if (_templates.Count > _miner.TemplateCount)
        {
            List<ulong>? stale = null;
            foreach (var (id, state) in _templates)
            {
                if (state.SeenInTick != _tick)
                {
                    (stale ??= []).Add(id);
                }
            }

            foreach (var id in stale ?? [])
            {
                _templates.Remove(id);
            }
        }
    }

    /// <summary>"4.2 times the baseline of 12 per window", or "against a baseline of almost none".</summary>
    private static string Versus(double value, double baseline) =>
        baseline < 0.05 ? "against a baseline of almost none" : $"{Number(value / baseline)} times the baseline of {Number(baseline)} per window";
}
