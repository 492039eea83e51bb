using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Template snapshots (<c>Pipeline:PatternMine:Snapshots</c>): written to <c>data/patterns/</c> and
/// reloaded at start, so template ids stay the same across restarts.
/// </summary>
public sealed class PatternSnapshotOptions : IValidatedOptions
{
    /// <summary>The directory; default <c>&lt;DataDir&gt;/patterns</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>How often the templates are written (and once more at shutdown). Default 30 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Template changes (generalisations, merges, evictions) held between two snapshots; past it they are
    /// dropped and counted (<c>pipeline_pattern_history_dropped_total</c>), so a flood of evictions cannot
    /// grow memory or slow the miner. Default 10 000.
    /// </summary>
    public int HistoryCapacity { get; set; } = 10_000;

    /// <summary>
    /// Size at which <c>history.ndjson</c> is renamed to <c>history.1.ndjson</c> (replacing the previous one)
    /// and a new file started, so the history is bounded on disk. Default 64 MiB.
    /// </summary>
    public long MaxHistoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// For options built in code: throws one <see cref="ArgumentOutOfRangeException"/> listing every bad
    /// key under <c>Pipeline:PatternMine:Snapshots</c>.
    /// </summary>
    public void Validate() => OptionsErrors.ThrowIfInvalid(this, "Pipeline:PatternMine:Snapshots");

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.CheckSentence(Interval > TimeSpan.Zero, nameof(Interval), $"must be positive, e.g. 00:00:30. (got {Interval}).");
        errors.CheckSentence(HistoryCapacity >= 1, nameof(HistoryCapacity), $"must be at least 1. (got {HistoryCapacity}).");
        errors.CheckSentence(MaxHistoryBytes >= 4096, nameof(MaxHistoryBytes), $"must be at least 4096. (got {MaxHistoryBytes}).");
    }
}
