using Pipeline.Blocks.Alerts;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>One key of an <see cref="AlertDigest"/> while notices still merge into it.</summary>
internal sealed class DigestEntry(AlertNotice first)
{
    private const int MaxExamples = 3;

    private readonly List<string> _examples = new(MaxExamples);
    private AlertNotice _latest = first;
    private DateTimeOffset _startsAt = first.StartsAt;
    private long _count;
    private int _notices;

    public void Add(AlertNotice notice)
    {
        _count += notice.Count;
        _notices++;
        _latest = notice;
        if (notice.StartsAt < _startsAt)
        {
            _startsAt = notice.StartsAt;
        }

        if (notice.Example is { Length: > 0 } example && _examples.Count < MaxExamples)
        {
            _examples.Add(example.Length <= AlertMessage.MaxExampleChars ? example : TextCut.Cut(example, AlertMessage.MaxExampleChars, "…"));
        }
    }

    public AlertGroup ToGroup() => new()
    {
        Source = _latest.Source,
        GroupKey = _latest.GroupKey,
        Kind = _latest.Kind,
        Count = _count,
        Notices = _notices,
        Fingerprint = _latest.Fingerprint,
        Severity = _latest.Severity,
        Labels = _latest.Labels,
        Annotations = _latest.Annotations,
        StartsAt = _startsAt,
        EndsAt = _latest.EndsAt,
        Value = _latest.Value,
        Flapping = _latest.Flapping,
        Examples = [.. _examples],
    };
}
