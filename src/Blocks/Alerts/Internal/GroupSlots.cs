namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The layout of a group's hot state in its <see cref="GroupRow"/>: at the feed's offset, the <see cref="Fixed"/>
/// longs below, then <see cref="PerWindow"/> per window slot (<see cref="SlidingWindow"/>), then — for feeds with
/// attribute conditions — <see cref="AttributeFixed"/> longs (met bits, batch stamp, decided bits) and one per
/// value slot (the bits of a double); padded to whole cache lines, so a group of a one-window feed is one line.
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

    /// <summary>Where the window slots start.</summary>
    public const int Fixed = 4;

    /// <summary>Longs per window: head bucket number, head count, total.</summary>
    public const int PerWindow = 3;

    /// <summary>Longs per cache line: each feed's segment starts on one and fills whole ones (<see cref="GroupRow"/>).</summary>
    public const int Line = 8;

    /// <summary>In the attribute section: bit c, the last event that had the attribute met string condition c (a feed has at most 64 rules).</summary>
    public const int Met = 0;

    /// <summary>In the attribute section: the batch the decided bits are of.</summary>
    public const int DecidedIn = 1;

    /// <summary>
    /// In the attribute section: bit v (value slot v) and bit values + c (condition c) are set once an event of
    /// the batch has given them: a batch is matched newest event first, so only the newest value counts.
    /// </summary>
    public const int Decided = 2;

    /// <summary>Longs of the attribute section before its value slots.</summary>
    public const int AttributeFixed = 3;
}
