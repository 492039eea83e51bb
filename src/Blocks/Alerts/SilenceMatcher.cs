namespace Pipeline.Blocks.Alerts;

/// <summary>One condition of a silence: the label <see cref="Name"/> equals <see cref="Value"/>, or matches it as an anchored regex.</summary>
public sealed class SilenceMatcher
{
    public required string Name { get; init; }

    public required string Value { get; init; }

    /// <summary>Value is a regular expression matched against the whole label value (as Alertmanager's <c>=~</c>).</summary>
    public bool IsRegex { get; init; }
}
