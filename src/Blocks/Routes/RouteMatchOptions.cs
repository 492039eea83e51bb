using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Routes;

/// <summary>
/// A route's condition (<c>Pipeline:Routes:N:Match</c>). Every list that is set must contain the
/// event's value (AND across lists, OR within one); an empty match takes every event.
/// </summary>
public sealed class RouteMatchOptions
{
    /// <summary>Level names (<c>ERROR</c>, <c>info</c>; case-insensitive).</summary>
    public List<string> Levels { get; set; } = [];

    /// <summary>Numeric levels the robot sent (the MQ scheme 0/1/9/11/91/99, syslog 0–7). An event sent with a level name has none and never matches.</summary>
    public List<int> LevelCodes { get; set; } = [];

    /// <summary>Event <c>type</c> values, exact.</summary>
    public List<string> Types { get; set; } = [];

    /// <summary><c>robot_id</c> values, exact.</summary>
    public List<string> Robots { get; set; } = [];

    /// <summary>Sites from the fleet registry; an unknown robot has no site and never matches.</summary>
    public List<string> Sites { get; set; } = [];

    /// <summary>Pattern template ids (<c>template_id</c>).</summary>
    public List<ulong> Templates { get; set; } = [];

    /// <summary>At least this level (<c>WARNING</c> takes WARNING, ERROR, CRITICAL).</summary>
    public string? MinLevel { get; set; }
}
