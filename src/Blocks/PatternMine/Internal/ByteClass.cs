namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// Byte classes for the tokenizer, by table lookup. OR-ing the classes of a token's bytes (done once,
/// while splitting) tells which rules can apply to it, so most tokens skip most rules.
/// </summary>
internal static class ByteClass
{
    public const ushort Space = 1;
    public const ushort Letter = 2;
    public const ushort Digit = 4;
    public const ushort Underscore = 8;
    public const ushort HexLetter = 16;
    public const ushort Punct = 32;
    public const ushort Slash = 64;
    public const ushort Dot = 128;
    public const ushort Colon = 256;
    public const ushort EqualsSign = 512;
    public const ushort Star = 1024;

    /// <summary>u, l (either case): every one of true, false and null has one.</summary>
    public const ushort LiteralLetter = 2048;

    /// <summary>'\\': in a JSON-escaped message, the only byte that says the text differs once unescaped.</summary>
    public const ushort Backslash = 4096;

    public const ushort Word = Letter | Digit | Underscore;

    private static readonly ushort[] Table = Build();

    public static ushort Of(byte b) => Table[b];

    /// <summary>Control bytes count as space so that junk splits into tokens instead of landing in templates.</summary>
    public static bool IsSpace(byte b) => Table[b] == Space;

    /// <summary>Letters, digits, '_' and every non-ASCII byte (so UTF-8 words stay whole).</summary>
    public static bool IsWord(byte b) => (Table[b] & Word) != 0;

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsAsciiLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';

    /// <summary>ASCII punctuation: the delimiters inside a token.</summary>
    public static bool IsPunct(byte b) => (Table[b] & Punct) != 0;

    /// <summary>The classes of all bytes of <paramref name="s"/>, OR-ed.</summary>
    public static ushort OfAll(ReadOnlySpan<byte> s)
    {
        ushort flags = 0;
        foreach (var b in s)
        {
            flags |= Table[b];
        }

        return flags;
    }

    private static ushort[] Build()
    {
        var t = new ushort[256];
        for (var b = 0; b < 256; b++)
        {
            t[b] = b switch
            {
                <= 0x20 or 0x7F => Space,
                >= '0' and <= '9' => Digit,
                >= 'a' and <= 'f' or >= 'A' and <= 'F' => Letter | HexLetter,
                'u' or 'U' or 'l' or 'L' => Letter | LiteralLetter,
                >= 'g' and <= 'z' or >= 'G' and <= 'Z' => Letter,
                '_' => Underscore,
                >= 0x80 => Letter,
                '/' => Punct | Slash,
                '\\' => Punct | Slash | Backslash,
                '.' => Punct | Dot,
                ':' => Punct | Colon,
                '=' => Punct | EqualsSign,
                '*' => Punct | Star,
                _ => Punct,
            };
        }

        return t;
    }
}
