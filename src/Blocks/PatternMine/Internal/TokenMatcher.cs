namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>Comparing a message token with a template token, and generalising one into the other.</summary>
internal static class TokenMatcher
{
    /// <summary>Score of a token that may not share a template with another: two different words.</summary>
    public const double Conflict = -1;

    /// <summary>
    /// 1 when the template token equals or covers the message token; 0.5 when they share a key or
    /// prefix holding a word (<c>user=root</c> / <c>user=news</c>, <c>org.a.B</c> / <c>org.a.C</c>);
    /// <see cref="Conflict"/> for two different words (<c>Started</c> / <c>Stopped</c>): those are
    /// different events, never variables of one; else 0.
    /// </summary>
    public static double Score(in TemplateToken t, ReadOnlySpan<byte> m, ulong hash, bool messageWordy, out bool covered)
    {
        if (t.Hash == hash)
        {
            covered = true;
            return 1;
        }

        // A masked value (a number, an address) covers other values, not words.
        if (t.Shape != TokenShape.Literal && (t.Generalised || t.Shape == TokenShape.Mixed) && Covers(t.Text, m))
        {
            covered = true;
            return 1;
        }

        covered = false;
        var a = t.Text.AsSpan();
        var prefix = CommonPrefix(a, m);
        if (prefix > 1 && a[prefix - 1] is (byte)'=' or (byte)':' && HasWord(a[..prefix]) && !(IsWildcard(m[prefix..]) && HasWord(a[prefix..])))
        {
            return 0.5;
        }

        if (t.Wordy && messageWordy)
        {
            return Conflict;
        }

        // A masked value against literal text (a number where others have "****") is not a variable either.
        var typedTemplate = t.Shape == TokenShape.Variable && !t.Generalised;
        return (typedTemplate && m.IndexOf("<*>"u8) < 0) || (t.Shape == TokenShape.Literal && IsWildcard(m)) ? Conflict : 0;
    }

    private static bool IsWildcard(ReadOnlySpan<byte> s) => s.SequenceEqual("<*>"u8);

    /// <summary>Glob match where each <c>&lt;*&gt;</c> of <paramref name="pattern"/> stands for any bytes (or none).</summary>
    public static bool Covers(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        var star = pattern.IndexOf("<*>"u8);
        if (star < 0)
        {
            return pattern.SequenceEqual(text);
        }

        if (!text.StartsWith(pattern[..star]))
        {
            return false;
        }

        text = text[star..];
        pattern = pattern[(star + 3)..];
        while (true)
        {
            star = pattern.IndexOf("<*>"u8);
            if (star < 0)
            {
                return text.EndsWith(pattern);
            }

            var at = text.IndexOf(pattern[..star]);
            if (at < 0)
            {
                return false;
            }

            text = text[(at + star)..];
            pattern = pattern[(star + 3)..];
        }
    }

    /// <summary>
    /// The most specific token covering both: their common prefix and suffix (cut at punctuation, so
    /// <c>user=</c> survives but no half words do) around one <c>&lt;*&gt;</c>.
    /// </summary>
    public static TemplateToken Generalise(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var prefix = CommonPrefix(a, b);
        var suffix = CommonSuffix(a, b, Math.Min(a.Length, b.Length) - prefix);
        var buffer = new byte[prefix + 3 + suffix];
        a[..prefix].CopyTo(buffer);
        "<*>"u8.CopyTo(buffer.AsSpan(prefix));
        a[^suffix..].CopyTo(buffer.AsSpan(prefix + 3));
        var length = MessageTokenizer.Collapse(buffer, 0, buffer.Length);
        return TemplateToken.Generalise(buffer.AsSpan(0, length));
    }

    private static int CommonPrefix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var k = a.CommonPrefixLength(b);
        if (k == a.Length && k == b.Length)
        {
            return k;
        }

        while (k > 0 && !IsCut(a, k))
        {
            k--;
        }

        return k;
    }

    private static int CommonSuffix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int max)
    {
        var s = 0;
        while (s < max && a[a.Length - 1 - s] == b[b.Length - 1 - s])
        {
            s++;
        }

        while (s > 0 && !IsSuffixCut(a, a.Length - s))
        {
            s--;
        }

        return s;
    }

    /// <summary>Can a token be cut before index <paramref name="k"/>: after punctuation, not inside a wildcard.</summary>
    private static bool IsCut(ReadOnlySpan<byte> a, int k)
    {
        if (k <= 0)
        {
            return true;
        }

        var before = a[k - 1];
        if (before == '*' || (before == '<' && k < a.Length && a[k] == '*'))
        {
            return false;
        }

        return ByteClass.IsPunct(before);
    }

    /// <summary>Can a suffix start at index <paramref name="k"/>: on punctuation, not inside a wildcard.</summary>
    private static bool IsSuffixCut(ReadOnlySpan<byte> a, int k)
    {
        var first = a[k];
        if (!ByteClass.IsPunct(first) || first == '*')
        {
            return false;
        }

        return !(first == '>' && k >= 2 && a[k - 1] == '*' && a[k - 2] == '<');
    }

    private static bool HasWord(ReadOnlySpan<byte> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (MessageTokenizer.IsWildcardAt(s, i))
            {
                i += 2;
            }
            else if (ByteClass.IsWord(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
