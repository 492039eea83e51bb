namespace Pipeline.Blocks.Enrich;

/// <summary>Options of the enrich block (<c>Pipeline:Enrich</c>).</summary>
public sealed class EnrichOptions
{
    /// <summary>This ingest node's name, written on every event. Default: the machine name.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>
    /// Fleet registry file, CSV (<c>robot_id,name,site,model</c> header) or JSON (an array of objects
    /// with those keys). Reloaded when it changes. Default: none.
    /// </summary>
    public string? RegistryPath { get; set; }

    /// <summary>How often the registry file's timestamp is checked, besides file-change notifications. Default 5 s.</summary>
    public TimeSpan RegistryPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
