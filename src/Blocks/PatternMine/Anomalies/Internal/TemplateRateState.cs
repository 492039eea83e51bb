namespace Pipeline.Blocks.PatternMine.Anomalies.Internal;

/// <summary>What the detector keeps per template (one per template, never per message).</summary>
internal sealed class TemplateRateState
{
    public TemplateRateState(PatternTemplate template, long lastCount)
    {
        Template = template;
        LastCount = lastCount;
    }

    public PatternTemplate Template { get; }

    /// <summary><see cref="PatternTemplate.Count"/> (cumulative) at the previous tick.</summary>
    public long LastCount;

    /// <summary>Messages per second in the latest window, or -1 before the first full window.</summary>
    public double RatePerSecond = -1;

    /// <summary>Tick in which the template was last found in the miner (the others were evicted or merged).</summary>
    public long SeenInTick;

    /// <summary>Another template was merged into this one since the last tick: its count jumped, not its rate.</summary>
    public bool MergedInto;

    public EwmaBaseline Baseline;
}
