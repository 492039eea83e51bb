using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// Flap damping (<c>Pipeline:Alerts:Flapping</c>): a group that fired or resolved <see cref="Changes"/> times
/// within <see cref="Within"/> is held firing, marked flapping, until its condition did not change for <see cref="Within"/>.
/// </summary>
public sealed class AlertFlappingOptions : IValidatedOptions
{
    /// <summary>State changes (fire, resolve) that make a group flapping. Default 4; 0 turns damping off.</summary>
    public int Changes { get; set; } = 4;

    /// <summary>The span the changes are counted in, and the quiet time that ends flapping. Default 10 minutes.</summary>
    public TimeSpan Within { get; set; } = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(Changes is 0 or (>= 2 and <= 100), nameof(Changes), $"must be 0 (off) or 2 to 100 (got {Changes}).");
        errors.Check(Within > TimeSpan.Zero, nameof(Within), $"must be positive (got {Within}).");
    }
}
