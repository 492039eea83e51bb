using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// One template as kept in a snapshot: everything needed to rebuild it with the same id and the same
/// matching behaviour. <see cref="Sequence"/>/<see cref="LastSequence"/> are the miner's logical clock
/// (creation order and recency), so buckets and least-recently-seen eviction come back in the same order.
/// </summary>
internal sealed record PatternSnapshotEntry(
    ulong Id,
    TemplateToken[] Tokens,
    string Text,
    long Count,
    long FirstSeenAt,
    long LastSeenAt,
    string? Example,
    int Generalisations,
    long Sequence,
    long LastSequence);
