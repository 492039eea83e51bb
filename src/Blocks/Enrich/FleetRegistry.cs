using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Enrich;

/// <summary>An immutable snapshot of the fleet registry: robot id → metadata.</summary>
public sealed class FleetRegistry
{
    private readonly Dictionary<string, RobotInfo> _robots;
    private readonly Dictionary<string, RobotInfo>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public FleetRegistry(IEnumerable<RobotInfo> robots)
    {
        _robots = new Dictionary<string, RobotInfo>(StringComparer.Ordinal);
        foreach (var robot in robots)
        {
            _robots[robot.Id] = robot;
        }

        _lookup = _robots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static FleetRegistry Empty { get; } = new([]);

    public int Count => _robots.Count;

    /// <summary>Every robot of the registry (absent-alert rules learn their groups from it).</summary>
    public IEnumerable<RobotInfo> Robots => _robots.Values;

    public RobotInfo? Find(string robotId) => _robots.GetValueOrDefault(robotId);

    /// <summary>Looks a robot up by its id as UTF-8, without allocating.</summary>
    public RobotInfo? Find(ReadOnlySpan<byte> robotId)
    {
        if (_robots.Count == 0 || robotId.Length > 256)
        {
            return null;
        }

        Span<char> chars = stackalloc char[robotId.Length];
        if (System.Text.Unicode.Utf8.ToUtf16(robotId, chars, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return null;
        }

        return _lookup.TryGetValue(chars[..written], out var robot) ? robot : null;
    }
}
