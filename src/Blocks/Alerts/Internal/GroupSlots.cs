namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The layout of a group's hot state in its <see cref="GroupRow"/>: at the feed's offset, these longs, then
/// <see cref="PerWindow"/> per window slot (<see cref="SlidingWindow"/>), then one per value slot (the bits of a double).
/// </summary>
internal static class GroupSlots
{
    /// <summary>1 while a group of the feed holds the segment, 0 when the row has none for the feed.</summary>
    public const int Held = 0;

    /// <summary>The last matching event, UTC ticks of the engine's clock.</summary>
    public const int LastSeen = 1;

    /// <summary>The rules of the feed that fire at once and are inactive here (<see cref="ObservedGroup.Armed"/>).</summary>
    public const int Armed = 2;

    /// <summary>The second (engine clock) the example was taken in, -1 before the first.</summary>
    public const int ExampleAt = 3;

    /// <summary>Bit c: the last event that had the attribute met string condition c (a feed has at most 64 rules, so 64 conditions).</summary>
    public const int Met = 4;

    /// <summary>Where the window slots start.</summary>
    public const int Fixed = 5;

    /// <summary>Longs per window: head bucket number, head count, head end, total.</summary>
    public const int PerWindow = 4;
}
