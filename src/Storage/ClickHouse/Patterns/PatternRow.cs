using Pipeline.Blocks.PatternMine;

namespace Pipeline.Storage.ClickHouse.Patterns;

/// <summary>
/// A template as one round read it (each property once, so the row written and the state kept agree
/// even while messages keep arriving). Also what was last written per id.
/// </summary>
internal readonly record struct PatternRow(PatternTemplate Template, string Text, long FirstSeenAt, long LastSeenAt, long Count)
{
    public static PatternRow Of(PatternTemplate template) =>
        new(template, template.Text, template.FirstSeenAt, template.LastSeenAt, template.Count);

    /// <summary>
    /// Whether <paramref name="now"/> differs from this written row: more messages, a later one, a more
    /// general text (a new string on every generalisation), or another template under the same id
    /// (evicted, then created again).
    /// </summary>
    public bool ChangedIn(in PatternRow now) =>
        !ReferenceEquals(Template, now.Template) || Count != now.Count || LastSeenAt != now.LastSeenAt || !ReferenceEquals(Text, now.Text);
}
