using System.Text.Json.Serialization;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>One group's alert in <c>state.json</c>; times are UTC ticks.</summary>
internal sealed class AlertStateEntry
{
    public string Rule { get; set; } = "";
    public string Signature { get; set; } = "";

    /// <summary>The group key's bytes (base64), so the group is found again by the same lookup as traffic.</summary>
    public string Key { get; set; } = "";
    public AlertState State { get; set; }
    public AlertState OfflineFrom { get; set; }
    public long PendingSince { get; set; }
    public long FiringSince { get; set; }
    public long ClearSince { get; set; }
    public long OfflineSince { get; set; }
    public bool NotifiedFiring { get; set; }
    public long LastNotified { get; set; }
    public int Notifications { get; set; }
    public bool Flapping { get; set; }
    public long LastFlip { get; set; }
    public long[] Changes { get; set; } = [];
    public int ChangeCount { get; set; }
    public long LastSeen { get; set; }
    public double? LastValue { get; set; }
    public bool LastMet { get; set; }
    public long Head { get; set; }
    public long[] Buckets { get; set; } = [];

    /// <summary>In <c>state.journal</c> only: the alert ended (only <see cref="Rule"/>, <see cref="Signature"/> and <see cref="Key"/> are set).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Removed { get; set; }
}
