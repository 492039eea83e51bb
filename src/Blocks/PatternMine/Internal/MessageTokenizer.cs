namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// Splits a message on whitespace and masks the variable parts of its tokens with <c>&lt;*&gt;</c>:
/// numbers, hex, IPs and ports, host names, UUIDs, MACs, paths, URLs, dates and times, data sizes,
/// values of <c>key=value</c> pairs. One generic rule set for every source: the rules recognise the
/// shape of a value, never the words of a particular log.
/// </summary>
internal sealed partial class MessageTokenizer
{
    private readonly int _maxTokens;
    private readonly int _maxTokenBytes;

    public MessageTokenizer(int maxTokens, int maxTokenBytes)
    {
        _maxTokens = Math.Max(2, maxTokens);
        _maxTokenBytes = Math.Max(16, maxTokenBytes);
    }

    /// <summary>Tokenises and masks <paramref name="message"/>; <paramref name="cut"/>: the message was longer, end with a variable.</summary>
    public void Tokenize(ReadOnlySpan<byte> message, TokenizedMessage m, bool cut = false)
    {
        m.Reset();
        m.SplitTruncated = Split(message, m);
        var truncated = m.SplitTruncated | cut;
        if (cut && m.RawCount > 0 && !ByteClass.IsSpace(message[^1]) && m.Raw[m.RawCount * 2 - 2] + m.Raw[m.RawCount * 2 - 1] == message.Length)
        {
            // The cut went through the last token: it is part of the trailing variable, not text.
            m.RawCount--;
        }
        var i = 0;
        while (i < m.RawCount)
        {
            var token = RawToken(message, m, i);
            var flags = m.RawFlags[i];
            var used = 0;

            // Cheap dispatch on the first byte and the byte classes: most tokens are words that start
            // no multi-token value.
            var first = token[0];
            if ((flags & ByteClass.Digit) != 0)
            {
                if (i + 1 < m.RawCount && (m.RawFlags[i + 1] & (ByteClass.Letter | ByteClass.Digit)) == ByteClass.Letter
                    && (ByteClass.IsDigit(first) || first is (byte)'<' or (byte)'>' or (byte)'~' or (byte)'-' or (byte)'+' or (byte)'('))
                {
                    used = TryQuantity(message, m, i);
                }

                if (used == 0 && token.Length >= 10 && ByteClass.IsDigit(first))
                {
                    used = TryDate(message, m, i);
                }
            }
            else if ((uint)(first - 'A') <= 'Z' - 'A' && token.Length is >= 3 and <= 11 && (IsShortNumber(m, i + 1) || IsShortNumber(m, i + 2)))
            {
                used = TryDate(message, m, i);
            }

            if (used == 0 && (flags & ByteClass.Slash) != 0 && (first == '/' || (token.Length > 8 && token.IndexOf("://"u8) > 0)))
            {
                used = TryRequestTarget(message, m, i);
            }

            if (used == 0)
            {
                MaskToken(token, flags, m);
                used = 1;
            }

            i += used;
        }

        if (truncated)
        {
            // Past the token limit the rest of the message is one variable: a template is a shape,
            // and a 10k-token line has no shape worth keeping token by token.
            EmitWildcard(m, default, default);
        }

        var h = StableHash.Combine(0x51ED2705UL, (ulong)m.Count);
        for (var t = 0; t < m.Count; t++)
        {
            h = StableHash.Combine(h, m.Tokens[t].Hash);
        }

        m.SequenceHash = StableHash.Mix(h);
    }

    /// <summary>Raw token <paramref name="i"/> is a few digits, perhaps with punctuation (a day of the month).</summary>
    private static bool IsShortNumber(TokenizedMessage m, int i) =>
        i < m.RawCount && m.Raw[i * 2 + 1] <= 3 && (m.RawFlags[i] & (ByteClass.Digit | ByteClass.Letter | ByteClass.Underscore)) == ByteClass.Digit;

    private static ReadOnlySpan<byte> RawToken(ReadOnlySpan<byte> message, TokenizedMessage m, int i) =>
        i < m.RawCount ? message.Slice(m.Raw[i * 2], m.Raw[i * 2 + 1]) : default;

    /// <summary>Records the whitespace-separated tokens; true when there were more than the limit.</summary>
    private bool Split(ReadOnlySpan<byte> message, TokenizedMessage m)
    {
        var p = 0;
        while (true)
        {
            while (p < message.Length && ByteClass.IsSpace(message[p]))
            {
                p++;
            }

            if (p == message.Length)
            {
                return false;
            }

            if (m.RawCount == _maxTokens - 1)
            {
                return true;
            }

            var start = p;
            ushort flags = 0;
            while (p < message.Length)
            {
                var c = ByteClass.Of(message[p]);
                if (c == ByteClass.Space)
                {
                    break;
                }

                flags |= c;
                p++;
            }

            m.AddRaw(start, p - start, flags);
        }
    }

    private static readonly ulong WildcardHash = StableHash.Hash("<*>"u8);

    /// <summary>Adds a token that is <paramref name="lead"/> + <c>&lt;*&gt;</c> + <paramref name="trail"/>.</summary>
    private static void EmitWildcard(TokenizedMessage m, ReadOnlySpan<byte> lead, ReadOnlySpan<byte> trail)
    {
        if (lead.IsEmpty && trail.IsEmpty)
        {
            EmitBareWildcard(m);
            return;
        }

        m.Reserve(lead.Length + trail.Length + 3);
        var start = m.TextLength;
        lead.CopyTo(m.Text.AsSpan(m.TextLength));
        m.TextLength += lead.Length;
        TokenizedMessage.Wildcard.CopyTo(m.Text.AsSpan(m.TextLength));
        m.TextLength += 3;
        trail.CopyTo(m.Text.AsSpan(m.TextLength));
        m.TextLength += trail.Length;
        FinishToken(m, start);
    }

    /// <summary>Normalises the token written at <paramref name="start"/>…TextLength and records it.</summary>
    private static void FinishToken(TokenizedMessage m, int start)
    {
        var length = Collapse(m.Text, start, m.TextLength - start);
        if (m.Text.AsSpan(start, length).IndexOf((byte)'=') >= 0)
        {
            length = CollapseKeyValues(m.Text, start, length);
        }

        m.TextLength = start + length;
        var text = m.Text.AsSpan(start, length);
        ref var slot = ref m.Tokens[m.Count++];
        slot.Start = start;
        slot.Length = length;
        slot.Hash = StableHash.Hash(text);
        slot.Shape = ShapeOf(text, out slot.Wordy);
    }

    /// <summary>Adds a token that is exactly <c>&lt;*&gt;</c>.</summary>
    private static void EmitBareWildcard(TokenizedMessage m)
    {
        m.Reserve(3);
        var start = m.TextLength;
        TokenizedMessage.Wildcard.CopyTo(m.Text.AsSpan(start));
        m.TextLength = start + 3;
        ref var slot = ref m.Tokens[m.Count++];
        slot.Start = start;
        slot.Length = 3;
        slot.Hash = WildcardHash;
        slot.Shape = TokenShape.Variable;
        slot.Wordy = false;
    }

    /// <summary>Records a token copied as it is (no variables) whose byte classes are known.</summary>
    private static void FinishLiteral(TokenizedMessage m, int start, ushort flags)
    {
        var length = m.TextLength - start;
        ref var slot = ref m.Tokens[m.Count++];
        slot.Start = start;
        slot.Length = length;
        slot.Hash = StableHash.Hash(m.Text.AsSpan(start, length));
        slot.Shape = TokenShape.Literal;
        slot.Wordy = (flags & ByteClass.Word) != 0;
    }

    internal static TokenShape ShapeOf(ReadOnlySpan<byte> text, out bool wordy)
    {
        if (text.IndexOf((byte)'*') < 0)
        {
            wordy = (ByteClass.OfAll(text) & ByteClass.Word) != 0;
            return TokenShape.Literal;
        }

        wordy = false;
        var wildcards = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsWildcardAt(text, i))
            {
                wildcards++;
                i += 2;
            }
            else if (ByteClass.IsWord(text[i]))
            {
                wordy = true;
            }
        }

        if (wildcards == 0)
        {
            return TokenShape.Literal;
        }

        return wildcards == 1 && text.Length == 3 ? TokenShape.Variable : TokenShape.Mixed;
    }

    internal static bool IsWildcardAt(ReadOnlySpan<byte> text, int i) =>
        i + 2 < text.Length && text[i] == '<' && text[i + 1] == '*' && text[i + 2] == '>';

    private static bool EndsWithWildcard(byte[] buffer, int start, int end) =>
        end - start >= 3 && buffer[end - 3] == '<' && buffer[end - 2] == '*' && buffer[end - 1] == '>';

    /// <summary>
    /// In place: <c>&lt;*&gt;.&lt;*&gt;</c>, <c>&lt;*&gt;:&lt;*&gt;</c>, <c>&lt;*&gt;-&lt;*&gt;</c> and <c>&lt;*&gt;&lt;*&gt;</c> become one
    /// variable (a version, a time, an address are one value), and a sign before a number joins it.
    /// </summary>
    internal static int Collapse(byte[] buffer, int start, int length)
    {
        var span = buffer.AsSpan(start, length);
        if (span.IndexOf("<*>"u8) < 0)
        {
            return length;
        }

        var end = start + length;
        var w = start;
        var r = start;
        while (r < end)
        {
            if (r + 2 < end && buffer[r] == '<' && buffer[r + 1] == '*' && buffer[r + 2] == '>')
            {
                r += 3;
                if (EndsWithWildcard(buffer, start, w))
                {
                    continue;
                }

                if (w - start >= 4 && buffer[w - 1] is (byte)'.' or (byte)':' or (byte)'-' && EndsWithWildcard(buffer, start, w - 1))
                {
                    w--;
                    continue;
                }

                if (w > start && buffer[w - 1] is (byte)'-' or (byte)'+'
                    && (w - 1 == start || (ByteClass.IsPunct(buffer[w - 2]) && buffer[w - 2] != '>')))
                {
                    w--;
                }

                buffer[w++] = (byte)'<';
                buffer[w++] = (byte)'*';
                buffer[w++] = (byte)'>';
                continue;
            }

            buffer[w++] = buffer[r++];
        }

        return w - start;
    }

    /// <summary>
    /// In place: the value of <c>key=value</c> becomes one <c>&lt;*&gt;</c> when it holds a variable and
    /// nothing else but punctuation (<c>steps=&lt;*&gt;##&lt;*&gt;##&lt;*&gt;</c> → <c>steps=&lt;*&gt;</c>). A value runs
    /// to the next <c>,</c> <c>;</c> <c>&amp;</c> or unbalanced closing bracket.
    /// </summary>
    private static int CollapseKeyValues(byte[] buffer, int start, int length)
    {
        var end = start + length;
        for (var k = start + 1; k < end; k++)
        {
            if (buffer[k] != '=' || !ByteClass.IsWord(buffer[k - 1]) || !IsKeyBefore(buffer, start, k))
            {
                continue;
            }

            var v = k + 1;
            var depth = 0;
            var wildcards = 0;
            var words = false;
            var e = v;
            while (e < end)
            {
                var b = buffer[e];
                if (e + 2 < end && b == '<' && buffer[e + 1] == '*' && buffer[e + 2] == '>')
                {
                    wildcards++;
                    e += 3;
                    continue;
                }

                if (b is (byte)',' or (byte)';' or (byte)'&' || (depth == 0 && b is (byte)')' or (byte)']' or (byte)'}'))
                {
                    break;
                }

                if (b is (byte)'(' or (byte)'[' or (byte)'{')
                {
                    depth++;
                }
                else if (b is (byte)')' or (byte)']' or (byte)'}')
                {
                    depth--;
                }
                else if (ByteClass.IsWord(b))
                {
                    words = true;
                }

                e++;
            }

            if (wildcards == 0 || words || (wildcards == 1 && e - v == 3))
            {
                k = e;
                continue;
            }

            // Replace buffer[v..e) with one wildcard and shift the rest left.
            "<*>"u8.CopyTo(buffer.AsSpan(v));
            buffer.AsSpan(e, end - e).CopyTo(buffer.AsSpan(v + 3));
            end -= e - v - 3;
            k = v + 3;
        }

        return end - start;
    }

    /// <summary>True when the word ending at <paramref name="k"/> is a key: it starts the token or follows punctuation.</summary>
    private static bool IsKeyBefore(byte[] buffer, int start, int k)
    {
        var s = k - 1;
        while (s > start && (ByteClass.IsWord(buffer[s - 1]) || buffer[s - 1] is (byte)'.' or (byte)'-'))
        {
            s--;
        }

        return s == start || (ByteClass.IsPunct(buffer[s - 1]) && buffer[s - 1] != '>');
    }
}
