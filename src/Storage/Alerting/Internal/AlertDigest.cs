using Pipeline.Blocks.Alerts;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>
/// The notices a channel holds for its next message, merged by (source, group key, kind). At most
/// <c>maxGroups</c> keys are held; notices of further keys only add to the remainder's counts, so
/// memory stays bounded and no count is lost. Used by the runner's one loop only (not thread-safe).
/// </summary>
internal sealed class AlertDigest(int maxGroups)
{
    // Remembering which keys the remainder saw, to count them, is itself bounded: past this many the
    // count of other groups is a lower bound (the events are still all counted).
    private const int MaxRemainderKeys = 65_536;

    private readonly Dictionary<(string Source, string GroupKey, AlertNoticeKind Kind), DigestEntry> _entries = [];
    private readonly List<DigestEntry> _order = [];
    private readonly HashSet<int> _otherKeys = [];
    private long _otherCount;
    private long _total;
    private long _notices;

    public bool IsEmpty => _notices == 0;

    public long Notices => _notices;

    public void Add(AlertNotice notice)
    {
        _notices++;
        _total += notice.Count;
        var key = (notice.Source, notice.GroupKey, notice.Kind);
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= maxGroups)
            {
                _otherCount += notice.Count;
                if (_otherKeys.Count < MaxRemainderKeys)
                {
                    _otherKeys.Add(key.GetHashCode());
                }

                return;
            }

            entry = new DigestEntry(notice);
            _entries.Add(key, entry);
            _order.Add(entry);
        }

        entry.Add(notice);
    }

    /// <summary>The message of everything merged so far; empties the digest.</summary>
    public AlertMessage Take(string channel)
    {
        var groups = new AlertGroup[_order.Count];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = _order[i].ToGroup();
        }

        var message = new AlertMessage
        {
            Channel = channel,
            Groups = groups,
            OtherGroups = _otherKeys.Count,
            OtherCount = _otherCount,
            TotalCount = _total,
            Notices = _notices,
        };
        _entries.Clear();
        _order.Clear();
        _otherKeys.Clear();
        _otherCount = 0;
        _total = 0;
        _notices = 0;
        return message;
    }
}
