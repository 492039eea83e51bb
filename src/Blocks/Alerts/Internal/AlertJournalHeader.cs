namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>The first line of <c>state.journal</c>: the generation of the snapshot (<c>state.json</c>) the journal extends.</summary>
internal sealed class AlertJournalHeader
{
    public long Generation { get; set; }
}
