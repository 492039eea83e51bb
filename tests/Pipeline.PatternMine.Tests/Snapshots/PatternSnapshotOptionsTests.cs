using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.PatternMine.Tests.Snapshots;

public sealed class PatternSnapshotOptionsTests
{
    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPath()
    {
        var options = new PatternSnapshotOptions { Interval = TimeSpan.Zero, HistoryCapacity = 0, MaxHistoryBytes = 100 };
        var errors = new List<string>();

        options.Validate(new OptionsErrors("Pipeline:PatternMine:Snapshots", errors));

        Assert.Equal(
        [
            "Pipeline:PatternMine:Snapshots:Interval must be positive, e.g. 00:00:30. (got 00:00:00).",
            "Pipeline:PatternMine:Snapshots:HistoryCapacity must be at least 1. (got 0).",
            "Pipeline:PatternMine:Snapshots:MaxHistoryBytes must be at least 4096. (got 100).",
        ], errors);
    }
}
