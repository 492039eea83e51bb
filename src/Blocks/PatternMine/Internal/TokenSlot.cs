namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>One masked token of a message: a range of <see cref="TokenizedMessage.Text"/>.</summary>
internal struct TokenSlot
{
    public int Start;
    public int Length;
    public ulong Hash;
    public TokenShape Shape;

    /// <summary>True when the token has letters or digits outside its variables (a word, not just punctuation).</summary>
    public bool Wordy;
}
