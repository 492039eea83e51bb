using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Anomaly detection over the mined templates (<c>Pipeline:PatternMine:Anomalies</c>): a template seen for
/// the first time, a template's rate spiking against its own baseline, a robot's error count spiking
/// against its own baseline. Baselines are exponentially weighted moving averages of the count per
/// <see cref="Window"/>. Taken as a snapshot when the detector is built.
/// </summary>
public sealed class PatternAnomalyOptions : IValidatedOptions
{
    /// <summary>Whether anomalies are detected. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rates are counted per window of this length; anomalies are emitted once per window. Default 10 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No "new template" anomalies until the block has run this long (a fresh miner sees nothing but new
    /// templates). Templates reloaded from a snapshot count as known. Default 5 min.
    /// </summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A template's count in a window is a spike above this many times its baseline. Default 3.</summary>
    public double SpikeFactor { get; set; } = 3;

    /// <summary>
    /// A template needs at least this many messages in a window for a spike: a rare template going from
    /// 1 to 4 messages is not news. Default 20.
    /// </summary>
    public int MinEvents { get; set; } = 20;

    /// <summary>A robot's errors (ERROR and CRITICAL) in a window are a spike above this many times its baseline. Default 3.</summary>
    public double ErrorSpikeFactor { get; set; } = 3;

    /// <summary>A robot needs at least this many errors in a window for an error spike. Default 10.</summary>
    public int MinErrors { get; set; } = 10;

    /// <summary>
    /// Half-life of the baselines: a window this long ago weighs half as much as the latest. Longer
    /// remembers "normal" for longer; shorter forgives a new level sooner. Default 5 min.
    /// </summary>
    public TimeSpan BaselineHalfLife { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Windows a template or robot must have been watched before its baseline counts (no spikes before). Default 6.</summary>
    public int BaselineWindows { get; set; } = 6;

    /// <summary>
    /// After a spike, the same template or robot is not reported again for this long (its baseline keeps
    /// learning meanwhile), so one incident is one anomaly, not one per window. Default 5 min.
    /// </summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Anomalies emitted per window at most (robot error spikes first, then template spikes, then new
    /// templates); the rest are counted as suppressed. Default 20.
    /// </summary>
    public int MaxAnomaliesPerWindow { get; set; } = 20;

    /// <summary>Latest anomalies kept for <c>GET /api/patterns/anomalies</c>. Default 1000.</summary>
    public int RecentCapacity { get; set; } = 1000;

    /// <summary>
    /// Robots whose error rates are tracked at most; the events of robots beyond it are not tracked
    /// (counted) until robots idle for <see cref="RobotIdleTimeout"/> are forgotten. Default 10 000.
    /// </summary>
    public int MaxRobots { get; set; } = 10_000;

    /// <summary>A robot that sent nothing for this long is forgotten (counted), baseline and all. Default 1 h.</summary>
    public TimeSpan RobotIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// For options built in code: throws one <see cref="ArgumentOutOfRangeException"/> listing every bad
    /// key under <c>Pipeline:PatternMine:Anomalies</c>.
    /// </summary>
    public void Validate() => OptionsErrors.ThrowIfInvalid(this, "Pipeline:PatternMine:Anomalies");

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.CheckSentence(Window >= TimeSpan.FromMilliseconds(100) && Window <= TimeSpan.FromHours(1), nameof(Window),
            $"must be 00:00:00.100 to 01:00:00, e.g. 00:00:10. (got {Window}).");
        errors.CheckSentence(WarmUp >= TimeSpan.Zero, nameof(WarmUp), $"must be zero (no warm-up) or positive, e.g. 00:05:00. (got {WarmUp}).");
        CheckFactor(errors, SpikeFactor, nameof(SpikeFactor));
        CheckFactor(errors, ErrorSpikeFactor, nameof(ErrorSpikeFactor));
        CheckAtLeast(errors, MinEvents, 1, nameof(MinEvents));
        CheckAtLeast(errors, MinErrors, 1, nameof(MinErrors));
        errors.CheckSentence(BaselineHalfLife >= Window, nameof(BaselineHalfLife),
            $"must be at least one Window ({Window}), e.g. 00:05:00. (got {BaselineHalfLife}).");
        CheckAtLeast(errors, BaselineWindows, 1, nameof(BaselineWindows));
        errors.CheckSentence(Cooldown >= TimeSpan.Zero, nameof(Cooldown), $"must be zero (report every window) or positive. (got {Cooldown}).");
        CheckAtLeast(errors, MaxAnomaliesPerWindow, 1, nameof(MaxAnomaliesPerWindow));
        CheckAtLeast(errors, RecentCapacity, 1, nameof(RecentCapacity));
        CheckAtLeast(errors, MaxRobots, 1, nameof(MaxRobots));
        errors.CheckSentence(RobotIdleTimeout >= Window, nameof(RobotIdleTimeout),
            $"must be at least one Window ({Window}), e.g. 01:00:00. (got {RobotIdleTimeout}).");

        static void CheckFactor(OptionsErrors errors, double value, string key) =>
            errors.CheckSentence(!double.IsNaN(value) && !double.IsInfinity(value) && value > 1, key,
                $"must be a number above 1, e.g. 3 (a spike is that many times the baseline). (got {value}).");

        static void CheckAtLeast(OptionsErrors errors, int value, int minimum, string key) =>
            errors.CheckSentence(value >= minimum, key, $"must be at least {minimum}. (got {value}).");
    }

    internal PatternAnomalyOptions Snapshot() => (PatternAnomalyOptions)MemberwiseClone();
}
