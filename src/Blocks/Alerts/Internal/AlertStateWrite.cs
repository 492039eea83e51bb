namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>One save, taken under the engine's lock and written after it: a whole snapshot, or the changed alerts for the journal of <see cref="Generation"/>.</summary>
internal sealed record AlertStateWrite(AlertStateFile? Snapshot, IReadOnlyList<AlertStateEntry> Changes, long Generation);
