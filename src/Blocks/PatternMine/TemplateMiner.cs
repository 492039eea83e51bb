using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Pipeline.Blocks.Events;
using Microsoft.Extensions.ObjectPool;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// Online log template miner (Drain family). A message is tokenised on whitespace with its variable
/// parts masked (numbers, hex, addresses, ids, paths, dates, sizes, <c>key=value</c> values), then
/// compared with the templates of the same length and first token; it joins the most similar one
/// (which generalises where they differ: the differing part becomes <c>&lt;*&gt;</c>) or starts a new one.
/// <para>
/// Thread-safe: matching a message that a template already covers takes no lock and allocates nothing;
/// creating or generalising a template takes one lock and re-checks under it, so concurrent callers
/// never create twin templates or lose a generalisation.
/// </para>
/// </summary>
public sealed partial class TemplateMiner
{
    private readonly PatternMineOptions _options;
    private readonly MessageTokenizer _tokenizer;
    private readonly ObjectPool<TokenizedMessage> _scratch;
    private readonly ConcurrentDictionary<ulong, TemplateBucket> _buckets = new();
    private readonly ConcurrentDictionary<ulong, PatternTemplate> _byId = new();
    private readonly Lock _gate = new();
    private readonly ShapeCache _shapes;
    private readonly MessageCache? _messages;
    private int _count;
    private long _evicted;

    // A logical clock that ticks when a template is created: "last seen" is the clock value at the
    // template's latest message. Ticking per message would make every thread write one cache line.
    private long _clock;

    public TemplateMiner(PatternMineOptions? options = null)
    {
        _options = (options ?? new PatternMineOptions()).Snapshot();
        _options.Validate();
        _tokenizer = new MessageTokenizer(_options.MaxTokens, _options.MaxTokenBytes);
        _scratch = new DefaultObjectPool<TokenizedMessage>(new ScratchPolicy(), Environment.ProcessorCount * 2);
        _shapes = new ShapeCache(Math.Clamp(_options.MaxTemplates * 4, 1024, 1 << 16));
        _messages = _options.MessageCacheSize > 0 ? new MessageCache(_options.MessageCacheSize) : null;
    }

    /// <summary>Templates currently kept.</summary>
    public int TemplateCount => Volatile.Read(ref _count);

    /// <summary>Templates dropped so far to stay within <see cref="PatternMineOptions.MaxTemplates"/>.</summary>
    public long EvictedCount => Interlocked.Read(ref _evicted);

    /// <summary>Assigns a message (UTF-8 text, any bytes accepted) to a template.</summary>
    public TemplateMatch Add(ReadOnlySpan<byte> message) => Add(message, jsonEscaped: false);

    /// <summary>Assigns a message given as the inside of a JSON string (escapes not yet undone).</summary>
    public TemplateMatch AddJsonEscaped(ReadOnlySpan<byte> message) => Add(message, jsonEscaped: true);

    public bool TryGetTemplate(ulong id, [MaybeNullWhen(false)] out PatternTemplate template) => _byId.TryGetValue(id, out template);

    /// <summary>A snapshot of the kept templates, in no particular order.</summary>
    public PatternTemplate[] GetTemplates() => [.. _byId.Values];

    private TemplateMatch Add(ReadOnlySpan<byte> message, bool jsonEscaped)
    {
        // A message repeated word for word skips tokenising: its bytes' hash finds its template.
        var exact = _messages is not null && message.Length <= MessageCacheMaxBytes ? StableHash.Hash(message) ^ (jsonEscaped ? EscapedSalt : 0) : 0;
        if (exact != 0 && _messages!.Get(exact) is { } known)
        {
            known.Hit(Volatile.Read(ref _clock));
            return new TemplateMatch(known, MatchKind.Matched);
        }

        var match = Mine(message, jsonEscaped);
        if (exact != 0)
        {
            _messages!.Offer(exact, match.Template);
        }

        return match;
    }

    private TemplateMatch Mine(ReadOnlySpan<byte> message, bool jsonEscaped)
    {
        var m = _scratch.Get();
        try
        {
            Tokenize(message, jsonEscaped, m);
            var cached = _shapes.Get(m.SequenceHash);
            if (cached is not null)
            {
                cached.Hit(Volatile.Read(ref _clock));
                return new TemplateMatch(cached, MatchKind.Matched);
            }

            var key = BucketKey(m);
            if (_buckets.TryGetValue(key, out var bucket))
            {
                var found = FindBest(bucket.Templates, m, out var covered);
                if (found is not null && covered)
                {
                    // The array read may predate a merge: hand out the template it merged into.
                    found = found.Current;
                    found.Hit(Volatile.Read(ref _clock));
                    _shapes.Set(m.SequenceHash, found);
                    return new TemplateMatch(found, MatchKind.Matched);
                }
            }

            var match = AddLocked(key, m);
            _shapes.Set(m.SequenceHash, match.Template);
            return match;
        }
        finally
        {
            _scratch.Return(m);
        }
    }

    /// <summary>
    /// Tokenises a message. A JSON-escaped one is tokenised as it is first: without a backslash its
    /// text is the unescaped text, which saves a scan of every message; only one with escapes (or too
    /// long to know from what the split looked at) is unescaped and tokenised again.
    /// </summary>
    private void Tokenize(ReadOnlySpan<byte> message, bool jsonEscaped, TokenizedMessage m)
    {
        var max = _options.MaxMessageBytes;
        if (jsonEscaped && message.Length <= max)
        {
            _tokenizer.Tokenize(message, m, cut: false);
            if ((m.AllFlags & ByteClass.Backslash) == 0 && (!m.SplitTruncated || message.IndexOf((byte)'\\') < 0))
            {
                return;
            }

            message = JsonUnescaper.Unescape(message, ref m.Unescaped);
        }
        else if (jsonEscaped)
        {
            // An escape takes at most six bytes per character: past that the text is cut anyway.
            var limit = max * 6L;
            var cut = message.Length > limit;
            message = JsonUnescaper.Unescape(cut ? message[..(int)limit] : message, ref m.Unescaped);
            if (cut)
            {
                _tokenizer.Tokenize(message[..Math.Min(message.Length, max)], m, cut: true);
                return;
            }
        }

        var truncated = message.Length > max;
        _tokenizer.Tokenize(truncated ? message[..max] : message, m, truncated);
    }

    /// <summary>Longer messages are rarely repeated exactly; hashing them would cost more than it saves.</summary>
    private const int MessageCacheMaxBytes = 1024;

    /// <summary>Keeps a message's escaped and unescaped forms apart in the message cache.</summary>
    private const ulong EscapedSalt = 0x5BD1E9955BD1E995UL;

    private TemplateMatch AddLocked(ulong key, TokenizedMessage m)
    {
        lock (_gate)
        {
            var bucket = _buckets.GetOrAdd(key, static _ => new TemplateBucket());
            var found = FindBest(bucket.Templates, m, out var covered);
            if (found is not null)
            {
                if (!covered)
                {
                    var before = found.Text;
                    Generalise(found, m);
                    OnGeneralised(found, before);
                }

                found.Hit(_clock);
                return new TemplateMatch(found, covered ? MatchKind.Matched : MatchKind.Generalised);
            }

            var merged = TryMergeWordVariants(bucket, m);
            if (merged is not null)
            {
                merged.Hit(_clock);
                return new TemplateMatch(merged, MatchKind.Generalised);
            }

            var created = Create(m, key);
            created.Hit(_clock);
            bucket.Add(created);
            _byId[created.Id] = created;
            Volatile.Write(ref _count, _count + 1);
            if (_count > _options.MaxTemplates)
            {
                EvictLocked();
            }

            return new TemplateMatch(created, MatchKind.Created);
        }
    }

    /// <summary>Templates are grouped by token count and first token (a variable first token groups as one).</summary>
    private static ulong BucketKey(TokenizedMessage m)
    {
        var first = m.Count == 0 ? 0UL : m.Tokens[0].Shape == TokenShape.Variable ? 1UL : m.Tokens[0].Hash;
        return StableHash.Mix(StableHash.Combine((ulong)m.Count, first));
    }

    /// <summary>
    /// The most similar template, or null when none reaches the threshold. <paramref name="covered"/>: the
    /// template already matches every token (nothing to generalise); the first such template wins.
    /// </summary>
    private PatternTemplate? FindBest(PatternTemplate[] templates, TokenizedMessage m, out bool covered)
    {
        covered = false;
        var n = m.Count;
        var needed = _options.SimilarityThreshold * n;
        PatternTemplate? best = null;
        var bestScore = -1.0;
        foreach (var template in templates)
        {
            var tokens = template.Tokens;
            if (tokens.Length != n)
            {
                continue;
            }

            var score = 0.0;
            var all = true;
            for (var i = 0; i < n; i++)
            {
                ref var slot = ref m.Tokens[i];
                var s = TokenMatcher.Score(tokens[i], m.TokenText(i), slot.Hash, slot.Wordy, out var c);
                score += s;
                all &= c;
                if (s == TokenMatcher.Conflict || score + (n - 1 - i) < needed)
                {
                    all = false;
                    score = -1;
                    break;
                }
            }

            if (all)
            {
                covered = true;
                return template;
            }

            if (score >= needed && score > bestScore)
            {
                best = template;
                bestScore = score;
            }
        }

        return best;
    }

    private static void Generalise(PatternTemplate template, TokenizedMessage m)
    {
        var tokens = (TemplateToken[])template.Tokens.Clone();
        for (var i = 0; i < tokens.Length; i++)
        {
            var text = m.TokenText(i);
            TokenMatcher.Score(tokens[i], text, m.Tokens[i].Hash, m.Tokens[i].Wordy, out var covered);
            if (!covered)
            {
                tokens[i] = TokenMatcher.Generalise(tokens[i].Text, text);
            }
        }

        template.Replace(tokens);
    }

    private PatternTemplate Create(TokenizedMessage m, ulong key)
    {
        var tokens = new TemplateToken[m.Count];
        for (var i = 0; i < tokens.Length; i++)
        {
            ref var slot = ref m.Tokens[i];
            tokens[i] = new TemplateToken(m.TokenText(i).ToArray(), slot.Hash, slot.Shape, slot.Wordy, generalised: false);
        }

        // The id is the hash of the text the template starts with, so the same first message gives the
        // same id in every run; on a collision with a kept template, hash again.
        var id = m.SequenceHash;
        while (id == 0 || _byId.ContainsKey(id))
        {
            id = StableHash.Mix(id + 0x9E3779B97F4A7C15UL);
        }

        _clock++;
        return new PatternTemplate(id, tokens, _clock, key);
    }

    private sealed class ScratchPolicy : PooledObjectPolicy<TokenizedMessage>
    {
        public override TokenizedMessage Create() => new();

        public override bool Return(TokenizedMessage obj) => true;
    }
}
