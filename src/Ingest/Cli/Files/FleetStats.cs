using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// The stats verb's counts over files: events, errors, per level, per type and per robot (robots counted exactly).
/// Groups are looked up by their text without making a string (a string is made once per new group).
/// </summary>
internal sealed class FleetStats : IEventVisitor
{
    private const int ErrorRank = 3;
    private readonly EventFilter _filter;
    private readonly Dictionary<string, EventCounts> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventCounts> _robots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventCounts>.AlternateLookup<ReadOnlySpan<char>> _typeLookup;
    private readonly Dictionary<string, EventCounts>.AlternateLookup<ReadOnlySpan<char>> _robotLookup;
    private byte[] _scratch = new byte[1024];
    private char[] _chars = new char[1024];

    public FleetStats(EventFilter filter)
    {
        _filter = filter;
        _typeLookup = _types.GetAlternateLookup<ReadOnlySpan<char>>();
        _robotLookup = _robots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long NeededFrom => _filter.From;

    public long Events { get; private set; }

    public long Errors { get; private set; }

    public long[] Levels { get; } = new long[5];

    public IReadOnlyDictionary<string, EventCounts> Types => _types;

    public IReadOnlyDictionary<string, EventCounts> Robots => _robots;

    public void Visit(ref readonly EventHead head, ReadOnlySpan<byte> line)
    {
        if (!_filter.Matches(in head, line))
        {
            return;
        }

        var error = head.Level >= ErrorRank ? 1 : 0;
        Events++;
        Errors += error;
        Levels[head.Level]++;
        Count(_typeLookup, head.Type, error);
        Count(_robotLookup, head.RobotId, error);
    }

    private void Count(Dictionary<string, EventCounts>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> escaped, int error)
    {
        var text = JsonUnescaper.Unescape(escaped, ref _scratch);
        if (_chars.Length < text.Length)
        {
            _chars = new char[Math.Max(text.Length, _chars.Length * 2)];
        }

        var key = _chars.AsSpan(0, Encoding.UTF8.GetChars(text, _chars));
        if (!lookup.TryGetValue(key, out var counts))
        {
            counts = new EventCounts();
            lookup[key] = counts;
        }

        counts.Events++;
        counts.Errors += error;
    }
}
