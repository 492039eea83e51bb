using System.Buffers;
using System.Text;

namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>Masking inside one whitespace-separated token.</summary>
internal sealed partial class MessageTokenizer
{
    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    private void MaskToken(ReadOnlySpan<byte> t, ushort flags, TokenizedMessage m)
    {
        if (t.Length > _maxTokenBytes)
        {
            // A token this long is data (a blob, a base64 payload), never template text.
            EmitWildcard(m, default, default);
            return;
        }

        m.Reserve(t.Length * 3 + 3);
        var start = m.TextLength;
        var o = m.Text;

        // Fast path: without digits, slashes or inner dots (host names) only booleans and null can be values.
        if ((flags & (ByteClass.Digit | ByteClass.Slash)) == 0
            && ((flags & ByteClass.Dot) == 0 || t.IndexOf((byte)'.') >= t.Length - 1)
            && (t.Length < 4 || (flags & ByteClass.LiteralLetter) == 0 || !HasLiteralValue(t))
            && ((flags & ByteClass.Star) == 0 || t.IndexOf("<*>"u8) < 0)
            && (t.Length < 8 || (flags & ByteClass.HexLetter) == 0 || t.IndexOfAnyExcept(HexDigits) >= 0))
        {
            t.CopyTo(o.AsSpan(start));
            m.TextLength = start + t.Length;
            FinishLiteral(m, start, flags);
            return;
        }

        // A plain number is the most common value of all.
        if (flags == ByteClass.Digit && t.Length <= 20)
        {
            EmitBareWildcard(m);
            return;
        }

        var features = new TokenFeatures(t, flags);
        var w = start;
        var p = 0;
        while (p < t.Length)
        {
            var c = t[p];
            if (ByteClass.IsWord(c))
            {
                var typed = MatchTyped(t, p, features);
                if (typed > 0)
                {
                    w = PutWildcard(o, w);
                    p += typed;
                    continue;
                }

                var e = PieceEnd(t, p);
                var isKey = e < t.Length && t[e] == '=';
                if (IsVariablePiece(t[p..e], isKey))
                {
                    w = PutWildcard(o, w);
                }
                else
                {
                    t[p..e].CopyTo(o.AsSpan(w));
                    w += e - p;
                }

                p = e;
                continue;
            }

            if (c == ':' && p + 2 < t.Length && t[p + 1] == ':' && (p == 0 || !ByteClass.IsWord(t[p - 1])))
            {
                // "::1", "::ffff:10.0.0.1": IPv6 starting with the zero run.
                var v6 = MatchIpv6(t, p);
                if (v6 > 0)
                {
                    w = PutWildcard(o, w);
                    p += v6;
                    continue;
                }
            }

            if (c == '/' && IsPathStart(t, p))
            {
                w = PutWildcard(o, w);
                p = TrimClosers(t, p, t.Length);
                continue;
            }

            if (c == '\\' && p == 0 && t.Length > 1 && t[1] == '\\')
            {
                // UNC path \\server\share
                w = PutWildcard(o, w);
                p = TrimClosers(t, p, t.Length);
                continue;
            }

            o[w++] = c;
            p++;
        }

        m.TextLength = w;
        FinishToken(m, start);
    }

    private static bool HasLiteralValue(ReadOnlySpan<byte> t)
    {
        var p = 0;
        while (p < t.Length)
        {
            if (!ByteClass.IsWord(t[p]))
            {
                p++;
                continue;
            }

            var e = p;
            while (e < t.Length && ByteClass.IsWord(t[e]))
            {
                e++;
            }

            if (IsLiteralValue(t[p..e]) && !(e < t.Length && t[e] == '='))
            {
                return true;
            }

            p = e;
        }

        return false;
    }

    private static int PutWildcard(byte[] o, int w)
    {
        o[w] = (byte)'<';
        o[w + 1] = (byte)'*';
        o[w + 2] = (byte)'>';
        return w + 3;
    }

    /// <summary>A word: letters, digits, '_' (and <c>_-</c> before a digit, as in <c>blk_-42</c>).</summary>
    private static int PieceEnd(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        while (e < t.Length)
        {
            if (ByteClass.IsWord(t[e]))
            {
                e++;
            }
            else if (t[e] == '-' && t[e - 1] == '_' && e + 1 < t.Length && ByteClass.IsDigit(t[e + 1]))
            {
                e++;
            }
            else
            {
                break;
            }
        }

        return e;
    }

    /// <summary>
    /// Is this word a value rather than template text? Numbers, hex, words that start with a digit,
    /// identifiers with numeric parts (<c>rdd_2_0</c>), words that are mostly digits (<c>J16</c>),
    /// booleans and null. Words with a single embedded digit (<c>Slf4j</c>, <c>tty2</c>, <c>ee0</c>) stay.
    /// </summary>
    internal static bool IsVariablePiece(ReadOnlySpan<byte> piece, bool isKey)
    {
        int digits = 0, letters = 0, hexLetters = 0;
        var underscore = false;
        foreach (var b in piece)
        {
            if (ByteClass.IsDigit(b))
            {
                digits++;
            }
            else if (b == '_' || b == '-')
            {
                underscore = true;
            }
            else
            {
                letters++;
                if (ByteClass.IsHex(b))
                {
                    hexLetters++;
                }
            }
        }

        if (digits == 0)
        {
            // ffffffff, deadbeef: eight or more hex letters are a value, not a word.
            return !isKey && (IsLiteralValue(piece) || (piece.Length >= 8 && hexLetters == letters));
        }

        if (letters == 0)
        {
            return true;
        }

        if (isKey)
        {
            return false;
        }

        if (ByteClass.IsDigit(piece[0]) || underscore)
        {
            return true;
        }

        if (piece.Length > 2 && piece[0] == '0' && (piece[1] | 0x20) == 'x')
        {
            return true;
        }

        if (hexLetters == letters && piece.Length >= 6)
        {
            return true;
        }

        // An instance name: storage1231, bglio559 (three or more trailing digits).
        if (piece.Length > 3 && ByteClass.IsDigit(piece[^1]) && ByteClass.IsDigit(piece[^2]) && ByteClass.IsDigit(piece[^3]))
        {
            return true;
        }

        return digits >= letters;
    }

    private static bool IsLiteralValue(ReadOnlySpan<byte> piece) => piece.Length switch
    {
        4 => Ascii.EqualsIgnoreCase(piece, "true"u8) || Ascii.EqualsIgnoreCase(piece, "null"u8),
        5 => Ascii.EqualsIgnoreCase(piece, "false"u8),
        _ => false,
    };

    /// <summary>A '/' that starts a path: at the token start or after an opening bracket, quote, '=' or ':'.</summary>
    private static bool IsPathStart(ReadOnlySpan<byte> t, int p)
    {
        if (p + 1 >= t.Length)
        {
            return false;
        }

        var next = t[p + 1];
        if (!ByteClass.IsWord(next) && next is not ((byte)'.' or (byte)'~' or (byte)'-' or (byte)'*'))
        {
            return false;
        }

        return p == 0 || t[p - 1] is (byte)'(' or (byte)'[' or (byte)'{' or (byte)'<' or (byte)'"' or (byte)'\'' or (byte)'=' or (byte)':' or (byte)',';
    }

    /// <summary>End of a value that runs to the end of the token, less closing punctuation.</summary>
    private static int TrimClosers(ReadOnlySpan<byte> t, int from, int end)
    {
        while (end > from + 1 && t[end - 1] is (byte)')' or (byte)']' or (byte)'}' or (byte)'>' or (byte)'"' or (byte)'\'' or (byte)',' or (byte)';' or (byte)':')
        {
            end--;
        }

        return end;
    }
}
