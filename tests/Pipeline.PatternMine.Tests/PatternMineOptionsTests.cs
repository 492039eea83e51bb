using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.PatternMine.Tests;

public sealed class PatternMineOptionsTests
{
    [Fact]
    public void TheDefaultsReportNothing() => Assert.Empty(Errors(new PatternMineOptions()));

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPathIncludingTheNestedSections()
    {
        var options = new PatternMineOptions
        {
            MaxTemplates = 0,
            WordVariantsBeforeVariable = 1,
            MessageCacheSize = -1,
            Snapshots = new PatternSnapshotOptions { HistoryCapacity = 0 },
            Anomalies = new PatternAnomalyOptions { MinEvents = 0 },
        };

        Assert.Equal(
        [
            "Pipeline:PatternMine:MaxTemplates: must be at least 1. (got 0).",
            "Pipeline:PatternMine:WordVariantsBeforeVariable: must be 0 (never) or at least 2. (got 1).",
            "Pipeline:PatternMine:MessageCacheSize: must be 0 (off) to 16777216. (got -1).",
            "Pipeline:PatternMine:Snapshots:HistoryCapacity must be at least 1. (got 0).",
            "Pipeline:PatternMine:Anomalies:MinEvents must be at least 1. (got 0).",
        ], Errors(options));
    }

    [Fact]
    public void ValidateThrowsOneExceptionListingEveryBadKey()
    {
        var options = new PatternMineOptions { MaxTokens = 1, MaxTokenBytes = 1 };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(
            $"Pipeline:PatternMine:MaxTokens: must be at least 2. (got 1).{Environment.NewLine}" +
            "Pipeline:PatternMine:MaxTokenBytes: must be at least 16. (got 1).",
            ex.Message);
    }

    private static List<string> Errors(PatternMineOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:PatternMine", errors));
        return errors;
    }
}
