namespace Pipeline.Blocks.PatternMine.Anomalies.Internal;

/// <summary>
/// A count per window, its exponentially weighted moving average, and the spike test against it.
/// Only touched under the detector's tick lock.
/// </summary>
internal struct EwmaBaseline
{
    /// <summary>The average count per window (before the latest window was folded in, while testing).</summary>
    public double Value;

    /// <summary>Windows folded in so far.</summary>
    public int Windows;

    /// <summary>No spike is reported before this time (Unix ms): one incident, one anomaly.</summary>
    public long CooldownUntil;

    /// <summary>The latest window's count.</summary>
    public long Last;

    /// <summary>
    /// Folds <paramref name="count"/> in and says whether it was a spike against the baseline before it:
    /// enough windows of history, at least <paramref name="minimum"/>, above <paramref name="factor"/> times
    /// the baseline. <paramref name="coolingDown"/> is set for a spike inside the cooldown (not to be reported).
    /// </summary>
    public bool Add(long count, double alpha, int baselineWindows, long minimum, double factor, long nowMs, long cooldownMs, out bool coolingDown)
    {
        var spike = Windows >= baselineWindows && count >= minimum && count > factor * Value;
        coolingDown = spike && nowMs < CooldownUntil;
        if (spike && !coolingDown)
        {
            CooldownUntil = nowMs + cooldownMs;
        }

        // The spike window is learnt too: a lasting new level becomes the baseline (the cooldown keeps
        // it from being reported window after window meanwhile).
        Value = Windows == 0 ? count : Value + (alpha * (count - Value));
        Windows++;
        Last = count;
        return spike;
    }
}
