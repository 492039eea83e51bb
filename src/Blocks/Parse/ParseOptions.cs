namespace Pipeline.Blocks.Parse;

/// <summary>Options of the parse block (<c>Pipeline:Parse</c>).</summary>
public sealed class ParseOptions
{
    /// <summary>How numeric levels 0 and 1 are read. Default <see cref="NumericLevelScheme.Mq"/>.</summary>
    public NumericLevelScheme NumericLevels { get; set; } = NumericLevelScheme.Mq;

    /// <summary>Maximum JSON nesting depth of an event. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;
}
