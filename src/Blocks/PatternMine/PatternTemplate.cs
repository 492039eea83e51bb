using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// A mined template: literal tokens and <c>&lt;*&gt;</c> for the variable parts. Its <see cref="Id"/> is
/// fixed at creation and kept when the template generalises, so events tagged earlier still point to it.
/// </summary>
public sealed class PatternTemplate
{
    private volatile TemplateToken[] _tokens;
    private volatile string _text;
    private volatile byte[] _utf8;
    private volatile byte[] _json;
    private long _count;
    private long _firstSeenAt;
    private long _lastSeenAt;
    private long _lastSeen;
    private int _generalisations;
    private volatile bool _evicted;
    private volatile PatternTemplate? _mergedInto;

    internal PatternTemplate(ulong id, TemplateToken[] tokens, long sequence, ulong bucketKey)
    {
        Id = id;
        BucketKey = bucketKey;
        FirstSeen = sequence;
        _lastSeen = sequence;
        _tokens = tokens;
        (_text, _utf8, _json) = Render(tokens);
    }

    /// <summary>
    /// Stable 64-bit id: the hash of the template's text when it was created (re-hashed on the rare
    /// collision). The same first message gives the same id in every process; generalising keeps it.
    /// </summary>
    public ulong Id { get; }

    /// <summary>The template, tokens separated by one space, <c>&lt;*&gt;</c> for variable parts.</summary>
    public string Text => _text;

    /// <summary><see cref="Text"/> as UTF-8 (always valid UTF-8, whatever the input was).</summary>
    public ReadOnlyMemory<byte> Utf8 => _utf8;

    /// <summary><see cref="Text"/> JSON-escaped (without quotes), as the files sink writes it.</summary>
    public ReadOnlyMemory<byte> JsonUtf8 => _json;

    /// <summary>Wall time of the first message, Unix milliseconds; 0 when the miner is used without a clock (the CLI).</summary>
    public long FirstSeenAt => Interlocked.Read(ref _firstSeenAt);

    /// <summary>Wall time of the latest message, Unix milliseconds; 0 when the miner is used without a clock.</summary>
    public long LastSeenAt => Volatile.Read(ref _lastSeenAt);

    /// <summary>The first message seen (after redaction, at most 1 KiB), or null when not recorded.</summary>
    public string? Example { get; private set; }

    /// <summary>Messages assigned to this template.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Times the template became more general.</summary>
    public int Generalisations => Volatile.Read(ref _generalisations);

    /// <summary>Number of tokens.</summary>
    public int TokenCount => _tokens.Length;

    /// <summary>Order of creation: the miner's count of templates created, this one included.</summary>
    public long FirstSeen { get; }

    /// <summary>True once the miner dropped the template to stay within its bound.</summary>
    public bool Evicted => _evicted;

    /// <summary>
    /// The template this one was merged into (when several templates turned out to be one pattern), or
    /// null. Its messages count there from then on.
    /// </summary>
    public PatternTemplate? MergedInto => _mergedInto;

    /// <summary>This template, or the one it was (transitively) merged into.</summary>
    public PatternTemplate Current
    {
        get
        {
            var t = this;
            while (t._mergedInto is { } next)
            {
                t = next;
            }

            return t;
        }
    }

    internal TemplateToken[] Tokens => _tokens;

    internal ulong BucketKey { get; }

    internal long LastSeen => Volatile.Read(ref _lastSeen);

    internal void Hit(long sequence)
    {
        Interlocked.Increment(ref _count);

        // A reader may still hand out a template that was just merged away: its count moves on.
        if (_mergedInto is { } into)
        {
            Forward(into);
        }

        // Only write when it changes: a hot template read by many threads should not bounce its cache line.
        if (Volatile.Read(ref _lastSeen) < sequence)
        {
            Volatile.Write(ref _lastSeen, sequence);
        }
    }

    /// <summary>
    /// Records that a message was assigned at <paramref name="unixMs"/>. Writes only when the time moves
    /// on, so a hot template read by many threads does not bounce its cache line once per message.
    /// </summary>
    public void Seen(long unixMs)
    {
        if (Volatile.Read(ref _lastSeenAt) < unixMs)
        {
            Volatile.Write(ref _lastSeenAt, unixMs);
        }

        if (Volatile.Read(ref _firstSeenAt) == 0)
        {
            Interlocked.CompareExchange(ref _firstSeenAt, unixMs, 0);
        }
    }

    /// <summary>Keeps the first example message (the first caller wins).</summary>
    public void SetExample(string example)
    {
        if (Example is null)
        {
            Example = example.Length <= MaxExampleChars ? example : example[..MaxExampleChars];
        }
    }

    internal const int MaxExampleChars = 1024;

    /// <summary>Restores times kept in a snapshot.</summary>
    internal void RestoreSeen(long firstSeenAt, long lastSeenAt, long count, string? example)
    {
        _firstSeenAt = firstSeenAt;
        _lastSeenAt = lastSeenAt;
        _count = count;
        Example = example;
    }

    /// <summary>Restores the recency (miner's logical clock) and the generalisation count kept in a snapshot.</summary>
    internal void RestoreOrder(long lastSeen, int generalisations)
    {
        _lastSeen = lastSeen;
        _generalisations = generalisations;
    }

    /// <summary>Called under the miner's lock.</summary>
    internal void Replace(TemplateToken[] tokens)
    {
        var (text, utf8, json) = Render(tokens);
        _tokens = tokens;
        _utf8 = utf8;
        _json = json;
        _text = text;
        Interlocked.Increment(ref _generalisations);
    }

    internal void MarkEvicted() => _evicted = true;

    /// <summary>Called under the miner's lock: this template's messages now count in <paramref name="target"/>.</summary>
    internal void MergeInto(PatternTemplate target)
    {
        // Publish the link first: a Hit that increments after the move below sees it and forwards itself,
        // so no count is lost (each increment is moved by exactly one Exchange).
        _mergedInto = target;
        Forward(target);
    }

    private void Forward(PatternTemplate into)
    {
        var moved = Interlocked.Exchange(ref _count, 0);
        if (moved != 0)
        {
            Interlocked.Add(ref into._count, moved);
            if (into._mergedInto is { } next)
            {
                into.Forward(next);
            }
        }
    }

    public override string ToString() => $"{Id:x16} {Text}";

    private static (string Text, byte[] Utf8, byte[] Json) Render(TemplateToken[] tokens)
    {
        var length = Math.Max(0, tokens.Length - 1);
        foreach (var token in tokens)
        {
            length += token.Text.Length;
        }

        var raw = new byte[length];
        var w = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (i > 0)
            {
                raw[w++] = (byte)' ';
            }

            tokens[i].Text.CopyTo(raw, w);
            w += tokens[i].Text.Length;
        }

        // Decoding replaces invalid UTF-8 with U+FFFD, so the bytes handed out are always valid; control
        // characters that survive (C1, encoded in two bytes) are replaced too, so a template is printable.
        var text = Encoding.UTF8.GetString(raw);
        if (text.AsSpan().IndexOfAnyInRange('\u0080', '\u009F') >= 0)
        {
            text = string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) ? '\uFFFD' : source[i];
                }
            });
        }

        var utf8 = Encoding.UTF8.GetBytes(text);
        return (text, utf8, JsonEncodedText.Encode(utf8, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray());
    }
}
