using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.PatternMine.Anomalies.Internal;

/// <summary>
/// One batch's events and errors per robot, counted in a small open-addressing table before they go to
/// the shared per-robot counters: a batch of a mixed fleet then costs one shared lookup and one
/// Interlocked add per robot in it, not per event. Keyed by the same 64-bit hash of the escaped
/// robot_id bytes as the detector's map. Reused through a pool: allocates nothing per batch.
/// </summary>
internal sealed class RobotTally
{
    /// <summary>Distinct robots counted before the table is flushed (half the slots, so probes stay short).</summary>
    public const int MaxRobots = 512;

    private const int Slots = MaxRobots * 2;

    private readonly ulong[] _keys = new ulong[Slots];
    private readonly Slice[] _ids = new Slice[Slots];
    private readonly int[] _events = new int[Slots];
    private readonly int[] _errors = new int[Slots];
    private readonly int[] _used = new int[MaxRobots];

    /// <summary>Distinct robots counted since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Counts one event of the robot whose id hashes to <paramref name="key"/> (never 0) and is at <paramref name="id"/>.</summary>
    public void Add(ulong key, Slice id, bool error)
    {
        var slot = (int)key & (Slots - 1);
        while (_keys[slot] != key)
        {
            if (_keys[slot] == 0)
            {
                _keys[slot] = key;
                _ids[slot] = id;
                _used[Count++] = slot;
                break;
            }

            slot = (slot + 1) & (Slots - 1);
        }

        _events[slot]++;
        if (error)
        {
            _errors[slot]++;
        }
    }

    /// <summary>Robot <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>) and its counts.</summary>
    public (ulong Key, Slice Id, int Events, int Errors) this[int index]
    {
        get
        {
            var slot = _used[index];
            return (_keys[slot], _ids[slot], _events[slot], _errors[slot]);
        }
    }

    public void Clear()
    {
        for (var i = 0; i < Count; i++)
        {
            var slot = _used[i];
            _keys[slot] = 0;
            _events[slot] = 0;
            _errors[slot] = 0;
        }

        Count = 0;
    }
}
