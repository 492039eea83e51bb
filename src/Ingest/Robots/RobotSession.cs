using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// One open connection of a robot, from established to closed. Several of them can belong to one robot at once;
/// together they are its presence (<see cref="RobotEntry"/>).
/// </summary>
internal sealed class RobotSession
{
    private string? _closedBy;

    public RobotSession(SourceConnection source, IRobotLink link, string? userAgent, DateTimeOffset openedAt)
    {
        Source = source;
        Link = link;
        UserAgent = userAgent;
        OpenedAt = openedAt;
        LastTrafficAt = openedAt;
        NextHeartbeatAt = openedAt;
    }

    public SourceConnection Source { get; }
    public IRobotLink Link { get; }
    public string? UserAgent { get; }
    public DateTimeOffset OpenedAt { get; }

    private readonly Lock _gate = new();
    private bool _closed;

    /// <summary>The robot, once known (auth, hello, <c>?robot_id=</c> or first event); set once (<see cref="TryAttach"/>).</summary>
    public RobotEntry? Robot { get; private set; }

    /// <summary>Joins <paramref name="robot"/>; false when the session has a robot already or has closed.</summary>
    public bool TryAttach(RobotEntry robot)
    {
        lock (_gate)
        {
            if (_closed || Robot is not null)
            {
                return false;
            }

            Robot = robot;
            return true;
        }
    }

    /// <summary>Marks the session closed (no robot can join it any more) and returns its robot, if it had one.</summary>
    public RobotEntry? MarkClosed()
    {
        lock (_gate)
        {
            _closed = true;
            return Robot;
        }
    }

    /// <summary>The robot's session number this connection joined.</summary>
    public long Session { get; set; }

    /// <summary>When the presence monitor last saw the connection's byte count move (its own thread only).</summary>
    public DateTimeOffset LastTrafficAt { get; set; }

    /// <summary>The byte count at that moment (presence monitor only).</summary>
    public long LastBytes { get; set; }

    /// <summary>When the next server heartbeat is due (presence monitor only).</summary>
    public DateTimeOffset NextHeartbeatAt { get; set; }

    /// <summary>Why the server ended it (<c>heartbeat_timeout</c>), which wins over the transport's close reason; null otherwise.</summary>
    public string? ClosedBy => Volatile.Read(ref _closedBy);

    public void CloseBy(string reason)
    {
        if (Interlocked.CompareExchange(ref _closedBy, reason, null) is null)
        {
            Link.Close(reason.Replace('_', ' '));
        }
    }
}
