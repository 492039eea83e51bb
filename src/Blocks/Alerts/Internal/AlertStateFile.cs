namespace Pipeline.Blocks.Alerts.Internal;

/// <summary><c>state.json</c>: the groups that hold an alert (pending, firing, offline), so a restart neither forgets nor re-notifies them.</summary>
internal sealed class AlertStateFile
{
    public int Version { get; set; } = 1;

    /// <summary>Counts snapshots: <c>state.journal</c> extends the snapshot of its generation only (0 in files written before the journal).</summary>
    public long Generation { get; set; }

    public List<AlertStateEntry> Alerts { get; set; } = [];
}
