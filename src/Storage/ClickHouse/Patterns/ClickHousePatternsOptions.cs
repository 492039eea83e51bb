using Pipeline.Blocks.Configuration;

namespace Pipeline.Storage.ClickHouse.Patterns;

/// <summary>
/// The patterns table (<c>Pipeline:Sinks:ClickHouse:Patterns</c>): the mined templates that
/// <c>logs.template_id</c> points to. Written when the ClickHouse sink and <c>Pipeline:PatternMine</c> are on.
/// </summary>
public sealed class ClickHousePatternsOptions : IValidatedOptions
{
    /// <summary>Whether the templates are written to ClickHouse (with the sink and the miner on). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The table, in the sink's database, created when missing. Default <c>patterns</c>.</summary>
    public string Table { get; set; } = "patterns";

    /// <summary>
    /// How often the templates that changed are written, as one INSERT. Shorter means fresher counts
    /// and more (tiny) parts for ClickHouse to merge. Default 10 s.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    /// <remarks><see cref="Table"/> is checked by <see cref="ClickHouseSinkOptions"/>: it must differ from the events table.</remarks>
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(Interval >= TimeSpan.FromMilliseconds(100), nameof(Interval), $"must be at least 00:00:00.100, e.g. 00:00:10 (got {Interval}).");
    }
}
