using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.PatternMine.Anomalies;

/// <summary>
/// What the pattern-mine block tells the anomaly detector. Called from the block's (possibly parallel)
/// workers, so implementations are thread-safe, and cheap: <see cref="Observe"/> sees every event.
/// </summary>
public interface IPatternObserver
{
    /// <summary>Event <paramref name="index"/> of <paramref name="batch"/> created <paramref name="template"/> (once per template).</summary>
    void OnCreated(PatternTemplate template, EventBatch batch, int index);

    /// <summary>
    /// Called once per batch after it was mined, with the indices of its ERROR/CRITICAL events (robot
    /// events only, in order), collected in the block's own pass so observers need not walk the batch
    /// again. Must not allocate per event.
    /// </summary>
    void Observe(EventBatch batch, ReadOnlySpan<int> errors);
}
