namespace Pipeline.Ingest.Robots;

/// <summary>
/// Everything the service knows about one robot: its presence (open sessions, session number), its last-known
/// state, its traffic and its commands. Presence and state are guarded by <see cref="Gate"/>; traffic is written
/// by the robots sink alone.
/// </summary>
internal sealed class RobotEntry
{
    private long _lastSeenTicks;
    private int _inFlight;

    public RobotEntry(string id, int recentEvents)
    {
        Id = id;
        IdJson = System.Text.Json.JsonEncodedText.Encode(id, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
        Recent = new EventRing(recentEvents);
    }

    public string Id { get; }

    /// <summary>The id as events carry it (JSON-escaped UTF-8), for lookups by the bytes of an event.</summary>
    public byte[] IdJson { get; }

    public Lock Gate { get; } = new();

    /// <summary>Its open connections (under <see cref="Gate"/>): online while there is one.</summary>
    public List<RobotSession> Sessions { get; } = [];

    /// <summary>The current session number, or the last one while offline; only grows (persisted).</summary>
    public long Session { get; set; }

    public bool Online { get; set; }

    public DateTimeOffset? OnlineSince { get; set; }

    public DateTimeOffset? OfflineSince { get; set; }

    /// <summary>Why it went offline last (the last connection's close reason).</summary>
    public string? OfflineReason { get; set; }

    /// <summary>Remote address and protocol of its newest connection.</summary>
    public string? Remote { get; set; }

    public string? Protocol { get; set; }

    public long Connections { get; set; }

    /// <summary>Last status, config, logs answers to commands (by <see cref="RobotStateKind"/>), under <see cref="Gate"/>.</summary>
    public CachedAnswer?[] State { get; } = new CachedAnswer?[RobotStateKinds.All.Length];

    /// <summary>The latest <c>status_update</c> event's attributes.</summary>
    public StatusUpdateSlot StatusUpdate { get; } = new();

    /// <summary>The batch number of the robots sink that last kept a status_update of this robot (the sink's own bookkeeping).</summary>
    public long StatusBatch;

    /// <summary>The newest answer for <paramref name="kind"/>: a command's, or, for the status, a <c>status_update</c> event's when newer.</summary>
    public CachedAnswer? Answer(RobotStateKind kind)
    {
        CachedAnswer? answer;
        lock (Gate)
        {
            answer = State[(int)kind];
        }

        if (kind == RobotStateKind.Status && StatusUpdate.Read() is { } update && (answer is null || update.At >= answer.At))
        {
            return update;
        }

        return answer;
    }

    public EventRing Recent { get; }

    public HourCounter EventsLastHour { get; } = new();

    public HourCounter ErrorsLastHour { get; } = new();

    public TypeCounts Types { get; } = new();

    public CommandStats Commands { get; } = new();

    /// <summary>Events the pipeline saw from it since the start.</summary>
    public long Events;

    /// <summary>When the pipeline last saw anything from it (an event, a control message, a connection).</summary>
    public DateTimeOffset? LastSeen
    {
        get
        {
            var ticks = Volatile.Read(ref _lastSeenTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Seen(DateTimeOffset at) => Volatile.Write(ref _lastSeenTicks, at.UtcTicks);

    /// <summary>Takes a command slot; false when <paramref name="max"/> are in flight.</summary>
    public bool TryStartCommand(int max)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void EndCommand() => Interlocked.Decrement(ref _inFlight);

    public int CommandsInFlight => Volatile.Read(ref _inFlight);

    /// <summary>The newest open session that can carry commands, or null.</summary>
    public RobotSession? CommandSession()
    {
        lock (Gate)
        {
            for (var i = Sessions.Count - 1; i >= 0; i--)
            {
                if (Sessions[i].Link.CanSend)
                {
                    return Sessions[i];
                }
            }

            return null;
        }
    }
}
