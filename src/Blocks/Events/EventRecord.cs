namespace Pipeline.Blocks.Events;

/// <summary>
/// One parsed event. A plain struct in a pooled array: string fields are <see cref="Slice"/>s of the
/// batch's buffer holding JSON-escaped UTF-8 (without the quotes), so the hot path never allocates.
/// </summary>
public struct EventRecord
{
    /// <summary>Event time, Unix milliseconds (the receive time when the event had none).</summary>
    public long Timestamp;

    public Slice RobotId;
    public Slice Type;
    public Slice Msg;
    public Slice TraceId;
    public Slice SpanId;
    public Slice Hash;

    /// <summary>Every field that is not a known one, as a JSON object (<c>{…}</c>), or empty.</summary>
    public Slice Attributes;

    public EventLevel Level;

    /// <summary>The numeric level the robot sent (syslog or the MQ scheme), or -1 when it sent a name.</summary>
    public short LevelCode;

    /// <summary>Index of the input line this event came from.</summary>
    public int Line;

    /// <summary>Fleet registry entry for <see cref="RobotId"/>, set by the enrich block.</summary>
    public RobotInfo? Robot;

    /// <summary>Pattern template id; 0 until the pattern-mine block assigns one (and for events without a msg).</summary>
    public ulong TemplateId;

    /// <summary>The template <see cref="TemplateId"/> names, set with it; its text goes to the files.</summary>
    public PatternMine.PatternTemplate? Template;
}
