namespace Pipeline.Blocks.Alerts.Internal;

/// <summary><c>state.json</c>: the groups that hold an alert (pending, firing, offline), so a restart neither forgets nor re-notifies them.</summary>
internal sealed class AlertStateFile
{
    public int Version { get; set; } = 1;

    public List<AlertStateEntry> Alerts { get; set; } = [];
}
