namespace Pipeline.Blocks.Enrich;

/// <summary>Gives the current registry snapshot; reloads swap it atomically.</summary>
public interface IFleetRegistrySource
{
    FleetRegistry Current { get; }
}
