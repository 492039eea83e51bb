using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Enrich;

/// <summary>Options of the enrich block (<c>Pipeline:Enrich</c>).</summary>
public sealed class EnrichOptions : IValidatedOptions
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

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (RegistryPath is { Length: > 0 } registry)
        {
            errors.Check(File.Exists(registry), nameof(RegistryPath), $"file '{registry}' does not exist.");
        }

        errors.Check(RegistryPollInterval > TimeSpan.Zero, nameof(RegistryPollInterval), "must be positive.");
    }
}
