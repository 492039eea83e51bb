using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The feeds an event can match, by its type and level, worked out once per rule set: an event is checked
/// against the two or three feeds its type and level admit instead of every feed (a fleet's rules name a type
/// or a level each). A type is found among the named ones of its length, so a lookup is one or two byte
/// comparisons; types no feed names share one list. Immutable: a reload builds a new index.
/// </summary>
internal sealed class FeedIndex
{
    private const int Levels = (int)EventLevel.Critical + 1;

    private readonly AlertFeed[] _all;
    private readonly byte[][][] _typesByLength;
    private readonly int[][] _idsByLength;
    private readonly AlertFeed[][] _candidates;

    public FeedIndex(AlertFeed[] feeds)
    {
        _all = feeds;
        var types = new List<byte[]>();
        foreach (var type in feeds.SelectMany(f => f.NamedTypes))
        {
            if (!types.Exists(t => t.AsSpan().SequenceEqual(type)))
            {
                types.Add(type);
            }
        }

        var longest = types.Count == 0 ? 0 : types.Max(t => t.Length);
        _typesByLength = new byte[longest + 1][][];
        _idsByLength = new int[longest + 1][];
        for (var length = 0; length <= longest; length++)
        {
            var ids = Enumerable.Range(0, types.Count).Where(i => types[i].Length == length).ToArray();
            _typesByLength[length] = [.. ids.Select(i => types[i])];
            _idsByLength[length] = [.. ids.Select(i => i + 1)];
        }

        // Row 0: types no feed names; row i: types[i - 1]. Feeds keep their order.
        _candidates = new AlertFeed[(types.Count + 1) * Levels][];
        for (var id = 0; id <= types.Count; id++)
        {
            var type = id == 0 ? null : types[id - 1];
            for (var level = 0; level < Levels; level++)
            {
                _candidates[(id * Levels) + level] = [.. feeds.Where(f => f.AdmitsType(type) && f.Match.AdmitsLevel((EventLevel)level))];
            }
        }
    }

    /// <summary>
    /// The feeds that may match an event of <paramref name="type"/> and <paramref name="level"/>, in rule order; each
    /// still checks the rest of its match (<see cref="AlertFeed.MatchesAdmitted"/>), or all of it when
    /// <paramref name="admitted"/> is false (a level outside the index: every feed comes back).
    /// </summary>
    public AlertFeed[] Candidates(ReadOnlySpan<byte> type, EventLevel level, out bool admitted)
    {
        admitted = (uint)level < Levels;
        if (!admitted)
        {
            return _all;
        }

        var id = 0;
        if (type.Length < _typesByLength.Length)
        {
            var named = _typesByLength[type.Length];
            for (var i = 0; i < named.Length; i++)
            {
                if (type.SequenceEqual(named[i]))
                {
                    id = _idsByLength[type.Length][i];
                    break;
                }
            }
        }

        return _candidates[(id * Levels) + (int)level];
    }
}
