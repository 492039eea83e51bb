namespace Pipeline.Blocks.Graph;

/// <summary>What a sink did: events the destination acknowledged, events waiting in its spool, events discarded (each counted with a reason).</summary>
public readonly record struct SinkSummary(long Written, long Spooled, long Discarded, string? SpoolDirectory)
{
    /// <summary>For sinks that do not keep these counts.</summary>
    public static readonly SinkSummary Unknown = new(-1, 0, 0, null);

    public override string ToString()
    {
        if (Written < 0)
        {
            return "done";
        }

        var text = $"{Written} events written";
        if (Spooled > 0)
        {
            text += $", {Spooled} left in its spool ({SpoolDirectory}) for the next start";
        }

        if (Discarded > 0)
        {
            text += $", {Discarded} discarded (see pipeline_component_discarded_events_total)";
        }

        return text;
    }
}
