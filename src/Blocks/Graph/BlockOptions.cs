using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Graph;

/// <summary>
/// Dataflow settings of one block (<c>Pipeline:Blocks:&lt;Block&gt;</c>). Capacities count batches,
/// not events. Taken as a snapshot when the graph is built.
/// </summary>
public sealed class BlockOptions : IValidatedOptions
{
    /// <summary>Batches a block holds before <c>SendAsync</c> waits. Default 8. Must be ≥ 1: never unbounded.</summary>
    public int BoundedCapacity { get; set; } = 8;

    /// <summary>Batches processed at once. Default 1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    public static BlockOptions Of(int capacity, int parallelism) =>
        new() { BoundedCapacity = capacity, MaxDegreeOfParallelism = parallelism };

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(BoundedCapacity >= 1, nameof(BoundedCapacity), $"must be at least 1 (got {BoundedCapacity}); blocks are never unbounded.");
        errors.Check(MaxDegreeOfParallelism >= 1, nameof(MaxDegreeOfParallelism), $"must be at least 1 (got {MaxDegreeOfParallelism}).");
    }
}
