namespace Pipeline.Blocks.PatternMine;

/// <summary>Anomaly detection over the mined templates (<c>Pipeline:PatternMine:Anomalies</c>).</summary>
public sealed class PatternAnomalyOptions
{
    /// <summary>Whether anomalies are detected. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rates are counted per window of this length. Default 10 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No "new template" anomalies until the block has run this long (a fresh miner sees nothing but new
    /// templates). Templates reloaded from a snapshot count as known. Default 5 min.
    /// </summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromMinutes(5);
}
