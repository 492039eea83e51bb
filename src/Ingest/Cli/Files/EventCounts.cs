namespace Pipeline.Ingest.Cli.Files;

/// <summary>Events and errors (ERROR and CRITICAL) of one group.</summary>
internal sealed class EventCounts
{
    public long Events;
    public long Errors;
}
