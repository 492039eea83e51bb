namespace Pipeline.Blocks.PatternMine;

/// <summary>One recorded change of a template.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Id">The template it happened to.</param>
/// <param name="AtUnixMs">Wall time, Unix milliseconds.</param>
/// <param name="Before">Generalised: the text before; otherwise null.</param>
/// <param name="After">Generalised: the text after; otherwise null.</param>
/// <param name="MergedInto">Merged: the id of the template it now counts in; otherwise 0.</param>
public sealed record PatternChange(PatternChangeKind Kind, ulong Id, long AtUnixMs, string? Before, string? After, ulong MergedInto);
