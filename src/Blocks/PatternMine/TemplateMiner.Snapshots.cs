using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>Export and restore (stable ids across restarts) and the recording of template changes.</summary>
public sealed partial class TemplateMiner
{
    // Null unless a service wants the history: the CLI pays one null check per (rare) change.
    private PatternChangeLog? _changes;

    /// <summary>
    /// From now on, records every generalisation, merge and eviction in <paramref name="changes"/> (the
    /// snapshot service writes them to <c>history.ndjson</c>). Matching never waits on it: the log is bounded
    /// and drops (and counts) when full.
    /// </summary>
    public void RecordChangesTo(PatternChangeLog changes)
    {
        lock (_gate)
        {
            _changes = changes;
        }
    }

    /// <summary>A consistent copy of the kept templates, oldest first (taken under the lock; the token arrays are immutable).</summary>
    internal PatternSnapshot Export()
    {
        lock (_gate)
        {
            var all = _byId.Values.ToArray();
            Array.Sort(all, static (a, b) => a.FirstSeen.CompareTo(b.FirstSeen));
            var entries = new PatternSnapshotEntry[all.Length];
            for (var i = 0; i < all.Length; i++)
            {
                var t = all[i];
                entries[i] = new PatternSnapshotEntry(t.Id, t.Tokens, t.Text, t.Count, t.FirstSeenAt, t.LastSeenAt, t.Example,
                    t.Generalisations, t.FirstSeen, t.LastSeen);
            }

            return new PatternSnapshot(_clock, entries);
        }
    }

    /// <summary>
    /// Rebuilds the templates of <paramref name="snapshot"/> in this fresh miner, with their ids, counts,
    /// times and order; bucket keys are recomputed from the tokens. When the snapshot holds more than
    /// <c>MaxTemplates</c>, the most recently seen are kept and the rest counted as evicted.
    /// Returns the number of templates dropped that way. Throws <see cref="FormatException"/> for a
    /// snapshot that cannot be right (a zero or repeated id), leaving the miner empty.
    /// </summary>
    internal int Restore(PatternSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_count != 0 || _clock != 0)
            {
                throw new InvalidOperationException("A snapshot can only be restored into a fresh miner, before it mined anything.");
            }

            var entries = (PatternSnapshotEntry[])snapshot.Templates.Clone();
            var dropped = 0;
            if (entries.Length > _options.MaxTemplates)
            {
                Array.Sort(entries, static (a, b) =>
                {
                    var bySeen = b.LastSequence.CompareTo(a.LastSequence);
                    return bySeen != 0 ? bySeen : b.Sequence.CompareTo(a.Sequence);
                });
                dropped = entries.Length - _options.MaxTemplates;
                entries = entries[.._options.MaxTemplates];
            }

            // Buckets keep creation order (the oldest word variant survives a merge).
            Array.Sort(entries, static (a, b) => a.Sequence.CompareTo(b.Sequence));
            var seen = new HashSet<ulong>();
            foreach (var e in entries)
            {
                if (e.Id == 0 || !seen.Add(e.Id))
                {
                    throw new FormatException($"template id {e.Id} is zero or appears twice.");
                }
            }

            var clock = snapshot.Clock;
            foreach (var e in entries)
            {
                var key = BucketKeyOf(e.Tokens);
                var template = new PatternTemplate(e.Id, e.Tokens, e.Sequence, key);
                template.RestoreSeen(e.FirstSeenAt, e.LastSeenAt, e.Count, e.Example);
                template.RestoreOrder(e.LastSequence, e.Generalisations);
                _buckets.GetOrAdd(key, static _ => new TemplateBucket()).Add(template);
                _byId[e.Id] = template;
                clock = Math.Max(clock, Math.Max(e.Sequence, e.LastSequence));
            }

            _clock = clock;
            Volatile.Write(ref _count, entries.Length);
            Interlocked.Add(ref _evicted, dropped);
            return dropped;
        }
    }

    /// <summary>The key a message of these tokens gets (see <see cref="BucketKey"/>): position 0 never generalises within a bucket.</summary>
    internal static ulong BucketKeyOf(TemplateToken[] tokens)
    {
        var first = tokens.Length == 0 ? 0UL : tokens[0].Shape == TokenShape.Variable ? 1UL : tokens[0].Hash;
        return StableHash.Mix(StableHash.Combine((ulong)tokens.Length, first));
    }

    private void OnGeneralised(PatternTemplate template, string before) => _changes?.Generalised(template.Id, before, template.Text);

    private void OnMerged(PatternTemplate template, PatternTemplate into) => _changes?.Merged(template.Id, into.Id);

    private void OnEvicted(PatternTemplate template) => _changes?.Evicted(template.Id);
}
