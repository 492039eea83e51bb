using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The connection each robot spoke on last, by the hash of its <c>robot_id</c>. A group whose own last
/// connection closed is back online as soon as its robot speaks on a new one, whatever it sends: a robot
/// that reconnects and only sends heartbeats brings its error alerts back to normal evaluation.
/// Bounded: when full, robots whose connection closed are forgotten first. Guarded by the engine's lock.
/// </summary>
internal sealed class RobotPresence
{
    private readonly Dictionary<ulong, SourceConnection> _latest = [];
    private readonly int _capacity;

    public RobotPresence(int capacity)
    {
        _capacity = capacity;
    }

    public int Count => _latest.Count;

    /// <summary>Records that <paramref name="robot"/> spoke on <paramref name="source"/>; allocates only when the table grows.</summary>
    public void Seen(ulong robot, SourceConnection source)
    {
        if (_latest.TryGetValue(robot, out var known))
        {
            if (!ReferenceEquals(known, source))
            {
                _latest[robot] = source;
            }

            return;
        }

        if (_latest.Count >= _capacity)
        {
            Prune();
        }

        _latest[robot] = source;
    }

    /// <summary>The robot's latest connection, or null when it has not spoken since the start (or was forgotten).</summary>
    public SourceConnection? Latest(ulong robot) => _latest.GetValueOrDefault(robot);

    private void Prune()
    {
        foreach (var (robot, connection) in _latest)
        {
            if (!connection.IsOpen)
            {
                _latest.Remove(robot);
            }
        }

        if (_latest.Count >= _capacity)
        {
            _latest.Clear(); // more open robots than the bound: groups fall back to their own last connection
        }
    }
}
