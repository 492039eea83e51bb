using System.Text;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Routes;

/// <summary>
/// <c>Pipeline:Routes</c> compiled once at start: the ordered routes, matched per event without
/// allocating. Shared by the RabbitMQ sink (and the alerting to come); immutable, so thread-safe.
/// </summary>
public sealed class RouteTable
{
    private readonly CompiledRoute[] _routes;

    private RouteTable(CompiledRoute[] routes)
    {
        _routes = routes;
    }

    public static RouteTable Empty { get; } = new([]);

    public int Count => _routes.Length;

    public CompiledRoute this[int index] => _routes[index];

    /// <summary>Compiles validated routes (see <see cref="Validate"/>).</summary>
    public static RouteTable Compile(IReadOnlyList<RouteOptions>? routes)
    {
        if (routes is null || routes.Count == 0)
        {
            return Empty;
        }

        var compiled = new CompiledRoute[routes.Count];
        for (var i = 0; i < compiled.Length; i++)
        {
            compiled[i] = new CompiledRoute(i, routes[i]);
        }

        return new RouteTable(compiled);
    }

    /// <summary>Adds a message naming the key for every bad value (<paramref name="prefix"/> is <c>Pipeline:Routes</c>).</summary>
    public static void Validate(IReadOnlyList<RouteOptions>? routes, string prefix, List<string> errors)
    {
        if (routes is null)
        {
            return;
        }

        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var key = $"{prefix}:{i}";
            if (route is null)
            {
                errors.Add($"{key}: empty route.");
                continue;
            }

            ValidateMatch(route.Match, new OptionsErrors($"{key}:Match", errors));
            for (var j = 0; j < route.Channels.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(route.Channels[j]))
                {
                    errors.Add($"{key}:Channels:{j}: empty channel name.");
                }
            }

            if (route.RabbitMq is { } target)
            {
                if (target.Exchange is { } exchange && (exchange.Length == 0 || Encoding.UTF8.GetByteCount(exchange) > 255))
                {
                    errors.Add($"{key}:RabbitMq:Exchange: must be 1 to 255 bytes (the default exchange \"\" cannot be declared), got '{exchange}'.");
                }

                if (target.RoutingKey is { } template && RoutingKeyTemplateSyntax.Check(template) is { } problem)
                {
                    errors.Add($"{key}:RabbitMq:RoutingKey: {problem}");
                }
            }
        }
    }

    /// <summary>Checks one <c>Match</c> section (the prefix of <paramref name="errors"/> is its path); shared by routes and alert rules.</summary>
    public static void ValidateMatch(RouteMatchOptions? match, OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        match ??= new RouteMatchOptions();
        for (var j = 0; j < match.Levels.Count; j++)
        {
            errors.Check(IsLevel(match.Levels[j]), $"Levels:{j}", $"'{match.Levels[j]}' is not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL).");
        }

        errors.Check(match.MinLevel is null || IsLevel(match.MinLevel), "MinLevel", $"'{match.MinLevel}' is not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL).");
        for (var j = 0; j < match.LevelCodes.Count; j++)
        {
            errors.Check(match.LevelCodes[j] is >= 0 and <= short.MaxValue, $"LevelCodes:{j}", $"must be 0 to {short.MaxValue} (got {match.LevelCodes[j]}).");
        }

        CheckValues(match.Types, "Types", errors);
        CheckValues(match.Robots, "Robots", errors);
        CheckValues(match.Sites, "Sites", errors);
    }

    private static bool IsLevel(string value) => LevelParser.TryParseName(Encoding.UTF8.GetBytes(value), out _);

    private static void CheckValues(List<string> values, string key, OptionsErrors errors)
    {
        for (var j = 0; j < values.Count; j++)
        {
            errors.Check(!string.IsNullOrEmpty(values[j]), $"{key}:{j}", "empty value.");
        }
    }
}
