namespace Pipeline.Blocks.PatternMine;

/// <summary>What happened to a template (a line of <c>history.ndjson</c>).</summary>
public enum PatternChangeKind
{
    /// <summary>The template became more general; its id stayed.</summary>
    Generalised,

    /// <summary>The template turned out to be the same pattern as another and now counts there.</summary>
    Merged,

    /// <summary>The template was dropped to stay within <c>MaxTemplates</c>.</summary>
    Evicted,
}
