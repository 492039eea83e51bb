namespace Pipeline.Ingest.Tail;

/// <summary>
/// The subscribers as the tail's thread walks them, made again whenever one comes or goes: those whose filter names a
/// robot, by the <see cref="TailFilter.Hash"/> of that robot (one lookup per event finds the few that can want it), and
/// the others, checked against every event. A fleet's viewers mostly follow one robot each, so twenty viewers cost an
/// event one lookup and the checks of the few that watch everything. Immutable.
/// </summary>
internal sealed class TailRouting
{
    private readonly Dictionary<int, TailSubscriber[]> _byRobot;

    public TailRouting(TailSubscriber[] subscribers)
    {
        All = subscribers;
        Others = [.. subscribers.Where(s => !s.Filter.HasRobot)];
        _byRobot = subscribers.Where(s => s.Filter.HasRobot).GroupBy(s => s.Filter.RobotHash).ToDictionary(g => g.Key, g => g.ToArray());
    }

    public TailSubscriber[] All { get; }

    /// <summary>The subscribers whose filter names no robot.</summary>
    public TailSubscriber[] Others { get; }

    /// <summary>Whether some filter names a robot (then an event's robot_id is hashed to find them).</summary>
    public bool ByRobot => _byRobot.Count > 0;

    /// <summary>The subscribers whose filter names a robot of this hash (their filters still compare the bytes).</summary>
    public TailSubscriber[] Of(int robotHash) => _byRobot.TryGetValue(robotHash, out var subscribers) ? subscribers : [];
}
