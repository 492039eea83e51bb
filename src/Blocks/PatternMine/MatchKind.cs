namespace Pipeline.Blocks.PatternMine;

/// <summary>What adding a message did to the templates.</summary>
public enum MatchKind : byte
{
    /// <summary>The message fits a template as it is.</summary>
    Matched,

    /// <summary>The message joined a template that became more general (more <c>&lt;*&gt;</c>); its id did not change.</summary>
    Generalised,

    /// <summary>The message started a new template.</summary>
    Created,
}
