namespace Pipeline.Blocks.Parse;

/// <summary>Options of the parse block (<c>Pipeline:Parse</c>).</summary>
public sealed class ParseOptions
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
}
