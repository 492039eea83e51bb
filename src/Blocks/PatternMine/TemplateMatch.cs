namespace Pipeline.Blocks.PatternMine;

/// <summary>The template a message was assigned to. A struct: matching allocates nothing.</summary>
public readonly struct TemplateMatch
{
    internal TemplateMatch(PatternTemplate template, MatchKind kind)
    {
        Template = template;
        Kind = kind;
    }

    public PatternTemplate Template { get; }

    public MatchKind Kind { get; }

    /// <summary>The template's stable id (see <see cref="PatternTemplate.Id"/>).</summary>
    public ulong TemplateId => Template.Id;
}
