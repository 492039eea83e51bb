namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>One token of a template. Immutable; a template that generalises gets a new token array.</summary>
internal readonly struct TemplateToken
{
    public TemplateToken(byte[] text, ulong hash, TokenShape shape, bool wordy, bool generalised)
    {
        Text = text;
        Hash = hash;
        Shape = shape;
        Wordy = wordy;
        Generalised = generalised;
    }

    public byte[] Text { get; }

    public ulong Hash { get; }

    public TokenShape Shape { get; }

    /// <summary>Letters or digits outside the variables.</summary>
    public bool Wordy { get; }

    /// <summary>
    /// The variable came from messages differing here (it stands for anything), not from masking a
    /// typed value (a masked number does not stand for a word).
    /// </summary>
    public bool Generalised { get; }

    public static TemplateToken Generalise(ReadOnlySpan<byte> text)
    {
        var shape = MessageTokenizer.ShapeOf(text, out var wordy);
        return new TemplateToken(text.ToArray(), StableHash.Hash(text), shape, wordy, generalised: true);
    }
}
