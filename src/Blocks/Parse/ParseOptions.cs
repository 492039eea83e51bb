using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Parse;

/// <summary>Options of the parse block (<c>Pipeline:Parse</c>).</summary>
public sealed class ParseOptions : IValidatedOptions
{
    /// <summary>How numeric levels 0 and 1 are read. Default <see cref="NumericLevelScheme.Mq"/>.</summary>
    public NumericLevelScheme NumericLevels { get; set; } = NumericLevelScheme.Mq;

    /// <summary>Maximum JSON nesting depth of an event. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxDepth is >= 2 and <= 1000, nameof(MaxDepth), $"must be 2 to 1000 (got {MaxDepth}).");
    }
}
