using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Routes;

/// <summary>
/// One route's condition, prepared for matching events without allocating: levels as a bit mask,
/// types and robots as the JSON-escaped UTF-8 the event slices hold. The lists are short (a handful
/// of values), so a linear scan beats a hash set here.
/// </summary>
public sealed class CompiledRoute
{
    private readonly int _levelMask;
    private readonly EventLevel? _minLevel;
    private readonly short[] _levelCodes;
    private readonly byte[][] _types;
    private readonly byte[][] _robots;
    private readonly string[] _sites;
    private readonly ulong[] _templates;

    internal CompiledRoute(int index, RouteOptions options)
    {
        Index = index;
        Options = options;
        Name = options.Name ?? $"route {index}";
        var match = options.Match;
        foreach (var level in match.Levels)
        {
            LevelParser.TryParseName(Encoding.UTF8.GetBytes(level), out var parsed);
            _levelMask |= 1 << (int)parsed;
        }

        if (match.MinLevel is { Length: > 0 } min && LevelParser.TryParseName(Encoding.UTF8.GetBytes(min), out var minLevel))
        {
            _minLevel = minLevel;
        }

        _levelCodes = match.LevelCodes.Select(c => (short)c).ToArray();
        _types = match.Types.Select(Escaped).ToArray();
        _robots = match.Robots.Select(Escaped).ToArray();
        _sites = [.. match.Sites];
        _templates = [.. match.Templates];
    }

    public int Index { get; }

    public string Name { get; }

    public RouteOptions Options { get; }

    public bool Continue => Options.Continue;

    /// <summary>The types the route takes, JSON-escaped as events hold them; empty when it takes every type.</summary>
    public IReadOnlyList<byte[]> Types => _types;

    /// <summary>Whether an event of <paramref name="level"/> passes <c>Levels</c> and <c>MinLevel</c> (<c>LevelCodes</c> need the event).</summary>
    public bool AdmitsLevel(EventLevel level) =>
        (_levelMask == 0 || (_levelMask & (1 << (int)level)) != 0) && (_minLevel is not { } min || level >= min);

    /// <summary>Whether the event meets every condition of the route.</summary>
    public bool Matches(EventBatch batch, ref readonly EventRecord e) =>
        AdmitsLevel(e.Level) && (_types.Length == 0 || Contains(_types, batch[e.Type])) && MatchesAdmitted(batch, in e);

    /// <summary>
    /// The conditions besides <c>Levels</c>, <c>MinLevel</c> and <c>Types</c>: for an event an index has already
    /// found to pass those (the alert engine's feed index), so its hot loop does not compare the type twice.
    /// </summary>
    public bool MatchesAdmitted(EventBatch batch, ref readonly EventRecord e)
    {
        if (_levelCodes.Length > 0 && (e.LevelCode < 0 || Array.IndexOf(_levelCodes, e.LevelCode) < 0))
        {
            return false;
        }

        if (_robots.Length > 0 && !Contains(_robots, batch[e.RobotId]))
        {
            return false;
        }

        if (_sites.Length > 0 && (e.Robot is not { } robot || Array.IndexOf(_sites, robot.Site) < 0))
        {
            return false;
        }

        return _templates.Length == 0 || Array.IndexOf(_templates, e.TemplateId) >= 0;
    }

    private static bool Contains(byte[][] values, ReadOnlySpan<byte> value)
    {
        foreach (var candidate in values)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] Escaped(string value) =>
        JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
}
