using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Graph;

namespace Pipeline.Blocks.Tests.Graph;

public sealed class BlocksOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new BlocksOptions()));

    [Fact]
    public void EveryBadValueIsReportedUnderItsOwnBlock()
    {
        var options = new BlocksOptions
        {
            Parse = BlockOptions.Of(0, 1),
            Redact = BlockOptions.Of(8, 0),
            Files = BlockOptions.Of(-1, -2),
        };

        Assert.Equal(
        [
            "Pipeline:Blocks:Parse:BoundedCapacity: must be at least 1 (got 0); blocks are never unbounded.",
            "Pipeline:Blocks:Redact:MaxDegreeOfParallelism: must be at least 1 (got 0).",
            "Pipeline:Blocks:Files:BoundedCapacity: must be at least 1 (got -1); blocks are never unbounded.",
            "Pipeline:Blocks:Files:MaxDegreeOfParallelism: must be at least 1 (got -2).",
        ], Errors(options));
    }

    private static List<string> Errors(BlocksOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Blocks", errors));
        return errors;
    }
}
