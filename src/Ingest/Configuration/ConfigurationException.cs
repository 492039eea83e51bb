namespace Pipeline.Ingest.Configuration;

/// <summary>The configuration has errors; each message names its key.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
