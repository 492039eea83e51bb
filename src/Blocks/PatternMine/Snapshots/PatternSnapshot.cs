namespace Pipeline.Blocks.PatternMine;

/// <summary>The state of a miner at one moment: its logical clock and its kept templates, oldest first.</summary>
internal sealed record PatternSnapshot(long Clock, PatternSnapshotEntry[] Templates);
