namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>Values recognised by their whole shape, at the start of a word.</summary>
internal sealed partial class MessageTokenizer
{
    /// <summary>Length of a URL, IP address, UUID, MAC, host:port or host name starting at <paramref name="p"/>, or 0.</summary>
    private static int MatchTyped(ReadOnlySpan<byte> t, int p, in TokenFeatures f)
    {
        // Each matcher runs only when a cheap look at the token says it could match.
        var c = t[p];
        int n;
        if (ByteClass.IsAsciiLetter(c))
        {
            if ((f.Scheme && (n = MatchUrl(t, p)) > 0) || (n = MatchWindowsPath(t, p)) > 0)
            {
                return n;
            }
        }

        if (ByteClass.IsHex(c))
        {
            if ((p + 36 <= t.Length && t[p + 8] == '-' && (n = MatchUuid(t, p)) > 0)
                || (p + 17 <= t.Length && t[p + 2] is (byte)':' or (byte)'-' && (n = MatchMac(t, p)) > 0)
                || (f.Colons >= 2 && (n = MatchIpv6(t, p)) > 0))
            {
                return n;
            }
        }

        if (ByteClass.IsDigit(c) && f.Dots >= 3 && (n = MatchIpv4(t, p, allowPort: true)) > 0)
        {
            return n;
        }

        return f.Colons > 0 || f.Dots >= 2 || f.Slash ? MatchHost(t, p) : 0;
    }

    private static bool EndsValue(ReadOnlySpan<byte> t, int e) =>
        e >= t.Length || (!ByteClass.IsWord(t[e]) && !(t[e] is (byte)'.' or (byte)':' or (byte)'-' && e + 1 < t.Length && ByteClass.IsDigit(t[e + 1])));

    private static int MatchUrl(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        while (e < t.Length && (ByteClass.IsAsciiLetter(t[e]) || ByteClass.IsDigit(t[e]) || t[e] is (byte)'+' or (byte)'.' or (byte)'-'))
        {
            e++;
        }

        if (e + 3 > t.Length || t[e] != ':' || t[e + 1] != '/' || t[e + 2] != '/')
        {
            return 0;
        }

        return TrimClosers(t, p, t.Length) - p;
    }

    private static int MatchWindowsPath(ReadOnlySpan<byte> t, int p) =>
        p + 3 < t.Length && t[p + 1] == ':' && t[p + 2] == '\\' && (p == 0 || !ByteClass.IsWord(t[p - 1]))
            ? TrimClosers(t, p, t.Length) - p
            : 0;

    private static int HexRun(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        while (e < t.Length && ByteClass.IsHex(t[e]))
        {
            e++;
        }

        return e - p;
    }

    private static int MatchUuid(ReadOnlySpan<byte> t, int p)
    {
        ReadOnlySpan<int> groups = [8, 4, 4, 4, 12];
        var e = p;
        for (var g = 0; g < groups.Length; g++)
        {
            if (g > 0)
            {
                if (e >= t.Length || t[e] != '-')
                {
                    return 0;
                }

                e++;
            }

            if (HexRun(t, e) != groups[g])
            {
                return 0;
            }

            e += groups[g];
        }

        return e >= t.Length || !ByteClass.IsWord(t[e]) ? e - p : 0;
    }

    /// <summary>Six or more two-digit hex groups joined by ':' or '-' (MAC and similar hardware ids).</summary>
    private static int MatchMac(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        var groups = 0;
        byte separator = 0;
        while (true)
        {
            if (HexRun(t, e) != 2)
            {
                break;
            }

            e += 2;
            groups++;
            if (e + 1 < t.Length && t[e] is (byte)':' or (byte)'-' && (separator == 0 || t[e] == separator) && HexRun(t, e + 1) == 2)
            {
                separator = t[e];
                e++;
                continue;
            }

            break;
        }

        return groups >= 6 && (e >= t.Length || !ByteClass.IsWord(t[e])) ? e - p : 0;
    }

    /// <summary>IPv6: hex groups with "::" or seven ':' separators.</summary>
    private static int MatchIpv6(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        var colons = 0;
        var doubleColon = false;
        while (e < t.Length && (ByteClass.IsHex(t[e]) || t[e] == ':'))
        {
            if (t[e] == ':')
            {
                colons++;
                if (e > p && t[e - 1] == ':')
                {
                    doubleColon = true;
                }
            }

            e++;
        }

        while (e > p && t[e - 1] == ':' && !(e - 2 >= p && t[e - 2] == ':'))
        {
            e--;
            colons--;
        }

        if (colons < 2 || !(doubleColon || colons == 7) || (e < t.Length && ByteClass.IsWord(t[e])))
        {
            return 0;
        }

        return e - p;
    }

    /// <summary>a.b.c.d with octets up to 255, optionally :port.</summary>
    private static int MatchIpv4(ReadOnlySpan<byte> t, int p, bool allowPort)
    {
        var e = p;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (e >= t.Length || t[e] != '.')
                {
                    return 0;
                }

                e++;
            }

            var s = e;
            var value = 0;
            while (e < t.Length && e - s < 3 && ByteClass.IsDigit(t[e]))
            {
                value = value * 10 + t[e] - '0';
                e++;
            }

            if (e == s || value > 255)
            {
                return 0;
            }
        }

        if (allowPort)
        {
            e = SkipPort(t, e);
        }

        if (!EndsValue(t, e))
        {
            return 0;
        }

        // A comma-separated list of addresses (X-Forwarded-For) is one value.
        if (allowPort && e + 1 < t.Length && t[e] == ',' && ByteClass.IsDigit(t[e + 1]))
        {
            var next = MatchIpv4(t, e + 1, allowPort: true);
            if (next > 0)
            {
                return e + 1 + next - p;
            }
        }

        return e - p;
    }

    /// <summary>Past ":digits" (1–5 digits) when there is one at <paramref name="e"/>.</summary>
    private static int SkipPort(ReadOnlySpan<byte> t, int e)
    {
        if (e + 1 < t.Length && t[e] == ':' && ByteClass.IsDigit(t[e + 1]))
        {
            var d = e + 1;
            while (d < t.Length && ByteClass.IsDigit(t[d]))
            {
                d++;
            }

            if (d - e - 1 <= 5 && (d >= t.Length || !ByteClass.IsWord(t[d])))
            {
                return d;
            }
        }

        return e;
    }

    /// <summary>
    /// host:port, host/ip:port (Java's socket address) and dotted host names that carry a digit
    /// (<c>cp-1.vm1.example.us</c>). Dotted names without digits are left alone: they are as often
    /// class or property names (<c>mapred.task.id</c>) as hosts.
    /// </summary>
    private static int MatchHost(ReadOnlySpan<byte> t, int p)
    {
        var e = p;
        var labels = 1;
        var hasDigit = false;
        var hasDash = false;
        var lastLabel = p;
        while (e < t.Length)
        {
            var b = t[e];
            if (ByteClass.IsWord(b))
            {
                hasDigit |= ByteClass.IsDigit(b);
                e++;
            }
            else if (b == '-' && e + 1 < t.Length && (ByteClass.IsWord(t[e + 1]) || t[e + 1] == '-'))
            {
                hasDash = true;
                e++;
            }
            else if (b == '.' && e + 1 < t.Length && ByteClass.IsWord(t[e + 1]) && e > p && t[e - 1] != '.')
            {
                labels++;
                e++;
                lastLabel = e;
            }
            else
            {
                break;
            }
        }

        if (e == p)
        {
            return 0;
        }

        var allDigits = !t[p..e].ContainsAnyExcept("0123456789"u8);
        if (allDigits)
        {
            return 0;
        }

        if (e + 8 < t.Length && t[e] == '/' && ByteClass.IsDigit(t[e + 1]))
        {
            var ip = MatchIpv4(t, e + 1, allowPort: true);
            if (ip > 0)
            {
                return e + 1 + ip - p;
            }
        }

        var withPort = SkipPort(t, e);
        if (withPort > e && (labels > 1 || hasDash || hasDigit))
        {
            return withPort - p;
        }

        if (labels >= 3 && hasDigit && IsTopLevelDomain(t[lastLabel..e]) && EndsValue(t, e))
        {
            return e - p;
        }

        // Without digits only a well-known top-level domain makes a host name (proxy.example.com).
        if (labels >= 2 && IsCommonTopLevelDomain(t[lastLabel..e]) && EndsValue(t, e))
        {
            return e - p;
        }

        return 0;
    }

    private static bool IsCommonTopLevelDomain(ReadOnlySpan<byte> label) => label.Length switch
    {
        2 => label.SequenceEqual("io"u8) || label.SequenceEqual("us"u8) || label.SequenceEqual("uk"u8) || label.SequenceEqual("de"u8)
            || label.SequenceEqual("cn"u8) || label.SequenceEqual("hk"u8) || label.SequenceEqual("jp"u8) || label.SequenceEqual("fr"u8)
            || label.SequenceEqual("eu"u8) || label.SequenceEqual("ru"u8),
        3 => label.SequenceEqual("com"u8) || label.SequenceEqual("net"u8) || label.SequenceEqual("org"u8) || label.SequenceEqual("edu"u8)
            || label.SequenceEqual("gov"u8) || label.SequenceEqual("mil"u8) || label.SequenceEqual("lan"u8),
        4 => label.SequenceEqual("arpa"u8),
        5 => label.SequenceEqual("local"u8),
        8 => label.SequenceEqual("internal"u8),
        _ => false,
    };

    private static bool IsTopLevelDomain(ReadOnlySpan<byte> label)
    {
        if (label.Length is < 2 or > 6)
        {
            return false;
        }

        foreach (var b in label)
        {
            if ((uint)(b - 'a') > 'z' - 'a')
            {
                return false;
            }
        }

        return true;
    }
}
