using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Options of the pattern miner (<c>Pipeline:PatternMine</c>). One generic configuration for every
/// source: the defaults are what the Loghub evaluation was run with. Taken as a snapshot when the
/// miner is built.
/// </summary>
public sealed class PatternMineOptions : IValidatedOptions
{
    /// <summary>Whether the service runs the pattern-mine block (every event with a <c>msg</c> gets a template id). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Snapshots of the templates in <c>data/patterns/</c> (<c>Pipeline:PatternMine:Snapshots</c>).</summary>
    public PatternSnapshotOptions Snapshots { get; set; } = new();

    /// <summary>Anomaly detection (<c>Pipeline:PatternMine:Anomalies</c>).</summary>
    public PatternAnomalyOptions Anomalies { get; set; } = new();

    /// <summary>Templates kept at most; past it the least recently seen are evicted (and counted). Default 10 000.</summary>
    public int MaxTemplates { get; set; } = 10_000;

    /// <summary>
    /// How alike a message must be to a template to join it, 0–1: the share of positions where the token
    /// equals the template's (or the template has a variable there), a half for a token that shares a
    /// key or prefix (<c>user=root</c> / <c>user=news</c>). Default 0.7.
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.7;

    /// <summary>
    /// Messages that differ in one word (<c>VM Started</c> / <c>VM Stopped</c>) are different templates, until
    /// this many templates differ only in the word at the same position: then that word is a variable
    /// (<c>user alice connected</c>, <c>user bob connected</c>, …) and they merge into the oldest, whose id
    /// stays. Keeps free-text values from flooding the templates. Default 8; 0 never merges.
    /// </summary>
    public int WordVariantsBeforeVariable { get; set; } = 8;

    /// <summary>Tokens looked at per message; the rest of a longer message is one trailing variable. Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>A longer token is a variable as a whole (a blob, not text). Default 256.</summary>
    public int MaxTokenBytes { get; set; } = 256;

    /// <summary>Bytes of a message looked at; the rest is one trailing variable. Default 64 KiB.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Slots of the exact-message cache: a message repeated word for word within roughly this many
    /// distinct messages skips tokenising. Default 16 384 (≈450 KiB); 0 turns it off.
    /// </summary>
    public int MessageCacheSize { get; set; } = 16_384;

    /// <summary>
    /// For options built in code: throws one <see cref="ArgumentOutOfRangeException"/> listing every bad
    /// key under <c>Pipeline:PatternMine</c>.
    /// </summary>
    public void Validate() => OptionsErrors.ThrowIfInvalid(this, "Pipeline:PatternMine");

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxTemplates >= 1, nameof(MaxTemplates), $"must be at least 1. (got {MaxTemplates}).");
        errors.Check(!double.IsNaN(SimilarityThreshold) && SimilarityThreshold > 0 && SimilarityThreshold <= 1, nameof(SimilarityThreshold),
            $"must be in (0, 1]. (got {SimilarityThreshold}).");
        errors.Check(WordVariantsBeforeVariable is 0 or >= 2, nameof(WordVariantsBeforeVariable),
            $"must be 0 (never) or at least 2. (got {WordVariantsBeforeVariable}).");
        errors.Check(MaxTokens >= 2, nameof(MaxTokens), $"must be at least 2. (got {MaxTokens}).");
        errors.Check(MaxTokenBytes >= 16, nameof(MaxTokenBytes), $"must be at least 16. (got {MaxTokenBytes}).");
        errors.Check(MaxMessageBytes >= 16, nameof(MaxMessageBytes), $"must be at least 16. (got {MaxMessageBytes}).");
        errors.Check(MessageCacheSize is >= 0 and <= 1 << 24, nameof(MessageCacheSize), $"must be 0 (off) to 16777216. (got {MessageCacheSize}).");
        Snapshots.Validate(errors.Nested(nameof(Snapshots)));
        Anomalies.Validate(errors.Nested(nameof(Anomalies)));
    }

    internal PatternMineOptions Snapshot() => (PatternMineOptions)MemberwiseClone();
}
