namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>What a token contains, looked up once so that typed matchers that cannot match are skipped.</summary>
internal readonly struct TokenFeatures
{
    public TokenFeatures(ReadOnlySpan<byte> t, ushort flags)
    {
        Dots = (flags & ByteClass.Dot) != 0 ? t.Count((byte)'.') : 0;
        Colons = (flags & ByteClass.Colon) != 0 ? t.Count((byte)':') : 0;
        Slash = (flags & ByteClass.Slash) != 0;
        Scheme = Colons > 0 && Slash && t.IndexOf("://"u8) > 0;
    }

    public int Dots { get; }

    public int Colons { get; }

    public bool Slash { get; }

    public bool Scheme { get; }
}
