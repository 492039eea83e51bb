namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Tests that measure the process's managed memory run alone: test classes otherwise run in parallel
/// in this process, and their allocations would count as growth.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}
