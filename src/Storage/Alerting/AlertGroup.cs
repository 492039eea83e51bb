using Pipeline.Blocks.Alerts;

namespace Pipeline.Storage.Alerting;

/// <summary>
/// One key of a digest: the notices of one (<see cref="Source"/>, <see cref="GroupKey"/>, <see cref="Kind"/>)
/// merged in a grouping window. <see cref="Count"/> is the sum of their counts; the labels and
/// annotations are the latest notice's.
/// </summary>
public sealed class AlertGroup
{
    public required string Source { get; init; }

    public required string GroupKey { get; init; }

    public required AlertNoticeKind Kind { get; init; }

    /// <summary>The sum of the merged notices' <see cref="AlertNotice.Count"/>.</summary>
    public required long Count { get; init; }

    /// <summary>How many notices were merged.</summary>
    public required int Notices { get; init; }

    public required string Fingerprint { get; init; }

    public required string Severity { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    /// <summary>The earliest <see cref="AlertNotice.StartsAt"/>.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>The latest notice's <see cref="AlertNotice.EndsAt"/> (resolved), else null.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The latest notice's value.</summary>
    public double? Value { get; init; }

    public bool Flapping { get; init; }

    /// <summary>Up to three examples, the first ones that came, each cut to <see cref="AlertMessage.MaxExampleChars"/> characters.</summary>
    public required IReadOnlyList<string> Examples { get; init; }

    /// <summary><c>resolved</c> for <see cref="AlertNoticeKind.Resolved"/>, otherwise <c>firing</c> (Alertmanager's words).</summary>
    public string Status => Kind == AlertNoticeKind.Resolved ? "resolved" : "firing";
}
