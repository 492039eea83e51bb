namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>Byte classes for the tokenizer, by table lookup.</summary>
internal static class ByteClass
{
    public const byte Space = 1;
    public const byte Letter = 2;
    public const byte Digit = 4;
    public const byte Underscore = 8;
    public const byte HexLetter = 16;
    public const byte Punct = 32;

    private static readonly byte[] Table = Build();

    /// <summary>Control bytes count as space so that junk splits into tokens instead of landing in templates.</summary>
    public static bool IsSpace(byte b) => Table[b] == Space;

    /// <summary>Letters, digits, '_' and every non-ASCII byte (so UTF-8 words stay whole).</summary>
    public static bool IsWord(byte b) => (Table[b] & (Letter | Digit | Underscore)) != 0;

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsAsciiLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';

    /// <summary>ASCII punctuation: the delimiters inside a token.</summary>
    public static bool IsPunct(byte b) => Table[b] == Punct;

    private static byte[] Build()
    {
        var t = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            t[b] = b switch
            {
                <= 0x20 or 0x7F => Space,
                >= '0' and <= '9' => Digit,
                >= 'a' and <= 'f' or >= 'A' and <= 'F' => Letter | HexLetter,
                >= 'g' and <= 'z' or >= 'G' and <= 'Z' => Letter,
                '_' => Underscore,
                >= 0x80 => Letter,
                _ => Punct,
            };
        }

        return t;
    }
}
