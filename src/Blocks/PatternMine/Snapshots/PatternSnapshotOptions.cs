namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Template snapshots (<c>Pipeline:PatternMine:Snapshots</c>): written to <c>data/patterns/</c> and
/// reloaded at start, so template ids stay the same across restarts.
/// </summary>
public sealed class PatternSnapshotOptions
{
    /// <summary>The directory; default <c>&lt;DataDir&gt;/patterns</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>How often the templates are written (and once more at shutdown). Default 30 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
