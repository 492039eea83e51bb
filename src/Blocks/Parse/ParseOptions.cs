using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Parse;

/// <summary>Options of the parse block (<c>Pipeline:Parse</c>).</summary>
public sealed class ParseOptions : IValidatedOptions
{
    /// <summary>How numeric levels 0 and 1 are read. Default <see cref="NumericLevelScheme.Mq"/>.</summary>
    public NumericLevelScheme NumericLevels { get; set; } = NumericLevelScheme.Mq;

    /// <summary>Maximum JSON nesting depth of an event. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;

    /// <summary>
    /// String values longer than this many characters (Unicode scalar values of the unescaped text)
    /// are cut to it and end with <c>…(truncated)</c>: <c>msg</c>, <c>type</c>, <c>trace_id</c>,
    /// <c>span_id</c>, <c>hash</c> and strings at any depth of the attributes. Not <c>robot_id</c>,
    /// which is an identity, nor property names. Default 0: off.
    /// </summary>
    public int MaxStringChars { get; set; }

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxDepth is >= 2 and <= 1000, nameof(MaxDepth), $"must be 2 to 1000 (got {MaxDepth}).");
        errors.Check(MaxStringChars == 0 || MaxStringChars >= 16, nameof(MaxStringChars),
            $"must be 0 (off) or at least 16 characters (got {MaxStringChars}).");
    }
}
