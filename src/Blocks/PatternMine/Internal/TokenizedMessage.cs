namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// Reusable scratch for one message: its masked tokens, back to back in <see cref="Text"/>. Pooled by
/// the miner; buffers only grow, so a warmed-up instance tokenises without allocating.
/// </summary>
internal sealed class TokenizedMessage
{
    public static ReadOnlySpan<byte> Wildcard => "<*>"u8;

    public byte[] Text = new byte[512];
    public int TextLength;
    public TokenSlot[] Tokens = new TokenSlot[32];
    public int Count;

    /// <summary>Whitespace-separated tokens of the input, as (start, length) pairs.</summary>
    public int[] Raw = new int[64];
    public int RawCount;

    /// <summary>For each raw token, the <see cref="ByteClass"/> flags of its bytes, OR-ed.</summary>
    public ushort[] RawFlags = new ushort[32];

    /// <summary>Unescaped copy of a JSON-escaped message.</summary>
    public byte[] Unescaped = new byte[512];

    /// <summary>The <see cref="ByteClass"/> flags of every byte the split looked at, OR-ed.</summary>
    public ushort AllFlags;

    /// <summary>The split stopped at the token limit: bytes after it were not looked at.</summary>
    public bool SplitTruncated;

    /// <summary>Hash of the whole masked token sequence.</summary>
    public ulong SequenceHash;

    public ReadOnlySpan<byte> TokenText(int i) => Text.AsSpan(Tokens[i].Start, Tokens[i].Length);

    public void Reset()
    {
        TextLength = 0;
        Count = 0;
        RawCount = 0;
        AllFlags = 0;
        SplitTruncated = false;
    }

    public void AddRaw(int start, int length, ushort flags)
    {
        if (RawCount * 2 + 2 > Raw.Length)
        {
            Array.Resize(ref Raw, Raw.Length * 2);
            Array.Resize(ref RawFlags, Raw.Length / 2);
        }

        Raw[RawCount * 2] = start;
        Raw[RawCount * 2 + 1] = length;
        RawFlags[RawCount] = flags;
        AllFlags |= flags;
        RawCount++;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes of text and one more token.</summary>
    public void Reserve(int bytes)
    {
        if (TextLength + bytes > Text.Length)
        {
            Array.Resize(ref Text, Math.Max(Text.Length * 2, TextLength + bytes));
        }

        if (Count == Tokens.Length)
        {
            Array.Resize(ref Tokens, Tokens.Length * 2);
        }
    }
}
