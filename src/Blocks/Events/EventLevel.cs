namespace Pipeline.Blocks.Events;

/// <summary>The normalised severity of an event. Ordered, so "at least WARNING" is a comparison.</summary>
public enum EventLevel : byte
{
    Debug = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
    Critical = 4,
}
