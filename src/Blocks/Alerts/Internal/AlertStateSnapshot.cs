namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>What <see cref="AlertStateStore.Load"/> read: the snapshot's generation, the held alerts, and how many journal lines were applied.</summary>
internal sealed record AlertStateSnapshot(long Generation, IReadOnlyList<AlertStateEntry> Alerts, int JournalLines);
