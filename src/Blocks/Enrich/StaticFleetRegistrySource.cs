namespace Pipeline.Blocks.Enrich;

/// <summary>A registry that never changes (no registry file configured, tests, benchmarks).</summary>
public sealed class StaticFleetRegistrySource(FleetRegistry registry) : IFleetRegistrySource
{
    public FleetRegistry Current { get; } = registry;
}
