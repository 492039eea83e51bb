namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// One rule's alert for one group: the state machine (pending → firing → resolved, offline, flapping) and what
/// was notified. What the traffic said of the group is in <see cref="Observed"/>, shared by the rules of a feed.
/// Guarded by the engine's lock.
/// </summary>
internal sealed class AlertGroup
{
    public AlertGroup(ObservedGroup observed, string fingerprint)
    {
        Observed = observed;
        Fingerprint = fingerprint;
    }

    public ObservedGroup Observed { get; set; }
    public string Fingerprint { get; }

    public byte[] Key => Observed.Key;
    public string GroupKey => Observed.GroupKey;
    public Dictionary<string, string> Labels => Observed.Labels;

    public AlertState State;

    /// <summary>The state a group was in when its robot went offline (Pending, Firing, or Inactive for absent rules).</summary>
    public AlertState OfflineFrom;

    public long PendingSince;
    public long FiringSince;
    public long ClearSince;
    public long OfflineSince;
    public bool NotifiedFiring;
    public long LastNotified;
    public int Notifications;
    public double Value;
    public long Count;

    // Flap damping: the times of the last state changes (a ring), and the last time the condition flipped.
    public long[] Changes = [];
    public int ChangeCount;
    public bool Flapping;
    public bool LastOver;
    public long LastFlip;
    public bool Silenced;

    /// <summary>On the engine's list of alerts changed since the last save (once).</summary>
    public bool Journaled;

    /// <summary>All labels of the group's alerts (alertname, severity, group-by, the rule's), made once per rule version.</summary>
    public IReadOnlyDictionary<string, string>? AllLabels;
    public object? AllLabelsOf;

    public bool IsActive => State is AlertState.Pending or AlertState.Firing or AlertState.Offline;

    /// <summary>Remembers a fire or resolve at <paramref name="now"/>; the number of changes within <paramref name="within"/>, this one included.</summary>
    public int RecordChange(long now, long within, int ring)
    {
        if (ring == 0)
        {
            return 0;
        }

        if (Changes.Length != ring)
        {
            Changes = new long[ring];
            ChangeCount = 0;
        }

        Changes[ChangeCount % ring] = now;
        ChangeCount++;
        var recent = 0;
        var held = Math.Min(ChangeCount, ring);
        for (var i = 0; i < held; i++)
        {
            if (now - Changes[i] <= within)
            {
                recent++;
            }
        }

        return recent;
    }
}
