namespace Pipeline.Client.Logging;

/// <summary>What <see cref="PipelineLoggerProvider"/> puts in every event besides the log entry itself.</summary>
public sealed class PipelineLoggerOptions
{
    /// <summary>The events' <c>type</c>. Default <c>log</c>.</summary>
    public string EventType { get; set; } = "log";

    /// <summary>Whether <c>{OriginalFormat}</c> (the message template) goes along as <c>message_template</c>, so events of one template group without the pattern miner. Default true.</summary>
    public bool IncludeMessageTemplate { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(EventType))
        {
            throw new ArgumentException("PipelineLoggerOptions.EventType must not be empty (default \"log\").");
        }
    }
}
