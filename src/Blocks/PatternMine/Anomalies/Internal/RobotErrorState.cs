namespace Pipeline.Blocks.PatternMine.Anomalies.Internal;

/// <summary>
/// What the detector keeps per robot: counters the block's workers add to (once per run of a robot's
/// events in a batch, with Interlocked), and the baseline the tick keeps.
/// </summary>
internal sealed class RobotErrorState
{
    private long _events;
    private long _errors;

    public RobotErrorState(string robotId, long nowMs)
    {
        RobotId = robotId;
        LastActiveAt = nowMs;
    }

    /// <summary>The robot_id, unescaped, kept once per robot.</summary>
    public string RobotId { get; }

    /// <summary>Unix ms of the latest window with an event (tick only).</summary>
    public long LastActiveAt;

    public EwmaBaseline Baseline;

    public void Add(long events, long errors)
    {
        Interlocked.Add(ref _events, events);
        if (errors != 0)
        {
            Interlocked.Add(ref _errors, errors);
        }
    }

    /// <summary>Takes the window's counts and starts the next window.</summary>
    public (long Events, long Errors) Take() => (Interlocked.Exchange(ref _events, 0), Interlocked.Exchange(ref _errors, 0));
}
