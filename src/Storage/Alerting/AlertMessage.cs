namespace Pipeline.Storage.Alerting;

/// <summary>
/// What one send delivers: the digest of the notices a channel merged in its grouping window (and
/// while its rate limit held the message back). Counts add up: <see cref="TotalCount"/> is the sum
/// of every merged notice's count, the groups beyond the channel's <c>MaxGroups</c> included.
/// </summary>
public sealed class AlertMessage
{
    /// <summary>Examples longer than this are cut (with "…").</summary>
    public const int MaxExampleChars = 500;

    /// <summary>The channel's name (the webhook's <c>receiver</c>).</summary>
    public required string Channel { get; init; }

    /// <summary>The groups listed, in the order their first notice came.</summary>
    public required IReadOnlyList<AlertGroup> Groups { get; init; }

    /// <summary>Distinct groups beyond <c>MaxGroups</c>, merged into the remainder.</summary>
    public int OtherGroups { get; init; }

    /// <summary>The summed counts of the remainder's notices.</summary>
    public long OtherCount { get; init; }

    /// <summary>Every merged notice's count, listed groups and remainder.</summary>
    public required long TotalCount { get; init; }

    /// <summary>How many notices were merged into this message.</summary>
    public required long Notices { get; init; }

    /// <summary><c>firing</c> when any group is not resolved, else <c>resolved</c>.</summary>
    public string Status
    {
        get
        {
            foreach (var group in Groups)
            {
                if (group.Status == "firing")
                {
                    return "firing";
                }
            }

            return Groups.Count == 0 && OtherGroups > 0 ? "firing" : "resolved";
        }
    }
}
