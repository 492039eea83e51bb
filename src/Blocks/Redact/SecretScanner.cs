using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Blocks.Redact;

/// <summary>
/// Finds secrets inside string content (JSON-escaped UTF-8): <c>Bearer …</c>, JWTs and configured
/// regexes. The built-in patterns are byte scans (a vectorised <c>IndexOf</c> first), so clean text
/// costs almost nothing; regexes run only when configured.
/// </summary>
internal sealed class SecretScanner
{
    private readonly Regex[] _patterns;
    private readonly bool _bearer;
    private readonly bool _jwt;

    public SecretScanner(RedactOptions options)
    {
        _bearer = options.BearerTokens;
        _jwt = options.Jwts;
        _patterns = new Regex[options.Patterns.Count];
        for (var i = 0; i < _patterns.Length; i++)
        {
            _patterns[i] = new Regex(options.Patterns[i], RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Adds the ranges (relative to <paramref name="offset"/>) of secrets in <paramref name="text"/>.</summary>
    /// <remarks>
    /// <paramref name="text"/> is JSON string content as the robot escaped it. Without a backslash that
    /// is the text itself and the scan works on it in place. With escapes (<c>\u002B</c>, <c>\n</c>, …)
    /// patterns could straddle or split an escape, so the content is unescaped, redacted and
    /// re-escaped as a whole — a rare, slower path that allocates only when it finds a secret.
    /// </remarks>
    public void Scan(ReadOnlySpan<byte> text, int offset, List<RedactRange> found, string replacement)
    {
        if (text.IndexOf((byte)'\\') >= 0)
        {
            ScanEscaped(text, offset, found, replacement);
            return;
        }

        ScanPlain(text, offset, found);
    }

    private void ScanPlain(ReadOnlySpan<byte> text, int offset, List<RedactRange> found)
    {
        var before = found.Count;
        if (_bearer)
        {
            ScanBearer(text, offset, found);
        }

        if (_jwt)
        {
            ScanJwt(text, offset, found);
        }

        if (_patterns.Length > 0)
        {
            ScanPatterns(text, offset, found);
        }

        if (found.Count - before > 1)
        {
            Normalise(found, before);
        }
    }

    private void ScanEscaped(ReadOnlySpan<byte> text, int offset, List<RedactRange> found, string replacement)
    {
        var rented = ArrayPool<byte>.Shared.Rent(text.Length);
        var inner = new List<RedactRange>();
        try
        {
            var plain = rented.AsSpan(0, Events.JsonUnescaper.Unescape(text, rented));
            ScanPlain(plain, 0, inner);
            if (inner.Count == 0)
            {
                return;
            }

            var replacementBytes = Encoding.UTF8.GetBytes(replacement);
            var redacted = new List<byte>(plain.Length);
            var read = 0;
            foreach (var range in inner)
            {
                redacted.AddRange(plain[read..range.Start]);
                redacted.AddRange(replacementBytes);
                read = range.End;
            }

            redacted.AddRange(plain[read..]);
            found.Add(new RedactRange(offset, offset + text.Length, false, JsonText.Escape(redacted.ToArray())));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void ScanBearer(ReadOnlySpan<byte> text, int offset, List<RedactRange> found)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf("earer "u8);
            if (at < 0)
            {
                return;
            }

            at += from;
            from = at + 6;
            if (at == 0 || (text[at - 1] | 0x20) != 'b')
            {
                continue;
            }

            var end = from;
            while (end < text.Length && IsTokenByte(text[end]))
            {
                end++;
            }

            if (end > from)
            {
                found.Add(new RedactRange(offset + at - 1, offset + end, false));
                from = end;
            }
        }
    }

    private static void ScanJwt(ReadOnlySpan<byte> text, int offset, List<RedactRange> found)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf("eyJ"u8);
            if (at < 0)
            {
                return;
            }

            at += from;
            from = at + 3;
            if (at > 0 && IsBase64Url(text[at - 1]))
            {
                continue;
            }

            // header.payload.signature, each base64url; the signature may be empty (alg "none").
            // A token cut by Pipeline:Parse:MaxStringChars (it ends in "…(truncated)" after its header
            // or payload) is still one: its header and claims are redacted too.
            var end = SkipBase64Url(text, at);
            if (end - at >= 10 && text[end..].StartsWith(Parse.JsonStringTruncation.Suffix))
            {
                found.Add(new RedactRange(offset + at, offset + end, false));
                from = end;
                continue;
            }

            if (end - at < 10 || end >= text.Length || text[end] != '.')
            {
                continue;
            }

            var payloadEnd = SkipBase64Url(text, end + 1);
            if (text[payloadEnd..].StartsWith(Parse.JsonStringTruncation.Suffix))
            {
                found.Add(new RedactRange(offset + at, offset + payloadEnd, false));
                from = payloadEnd;
                continue;
            }

            if (payloadEnd == end + 1 || payloadEnd >= text.Length || text[payloadEnd] != '.')
            {
                continue;
            }

            var signatureEnd = SkipBase64Url(text, payloadEnd + 1);
            found.Add(new RedactRange(offset + at, offset + signatureEnd, false));
            from = signatureEnd;
        }
    }

    private void ScanPatterns(ReadOnlySpan<byte> text, int offset, List<RedactRange> found)
    {
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var count = Encoding.UTF8.GetChars(text, chars);
            var span = chars.AsSpan(0, count);
            foreach (var regex in _patterns)
            {
                foreach (var match in regex.EnumerateMatches(span))
                {
                    if (match.Length == 0)
                    {
                        continue;
                    }

                    var start = Encoding.UTF8.GetByteCount(span[..match.Index]);
                    var length = Encoding.UTF8.GetByteCount(span.Slice(match.Index, match.Length));
                    found.Add(new RedactRange(offset + start, offset + start + length, false));
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological value: redact all of it rather than let a secret through.
            found.Add(new RedactRange(offset, offset + text.Length, false));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Sorts the new ranges and merges overlaps (a Bearer JWT is found twice).</summary>
    private static void Normalise(List<RedactRange> found, int from)
    {
        found.Sort(from, found.Count - from, RangeComparer.Instance);
        var write = from;
        for (var read = from + 1; read < found.Count; read++)
        {
            var current = found[write];
            var next = found[read];
            if (next.Start <= current.End)
            {
                found[write] = current with { End = Math.Max(current.End, next.End) };
            }
            else
            {
                found[++write] = next;
            }
        }

        found.RemoveRange(write + 1, found.Count - write - 1);
    }

    private static int SkipBase64Url(ReadOnlySpan<byte> text, int from)
    {
        while (from < text.Length && IsBase64Url(text[from]))
        {
            from++;
        }

        return from;
    }

    private static bool IsBase64Url(byte b) =>
        (uint)((b | 0x20) - 'a') <= 'z' - 'a' || (uint)(b - '0') <= 9 || b == '-' || b == '_';

    // RFC 6750 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" followed by "="s.
    private static bool IsTokenByte(byte b) =>
        IsBase64Url(b) || b is (byte)'.' or (byte)'~' or (byte)'+' or (byte)'/' or (byte)'=';

    private sealed class RangeComparer : IComparer<RedactRange>
    {
        public static readonly RangeComparer Instance = new();

        public int Compare(RedactRange x, RedactRange y) => x.Start.CompareTo(y.Start);
    }
}
