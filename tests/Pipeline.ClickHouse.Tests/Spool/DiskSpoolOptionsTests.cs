using Pipeline.Blocks.Configuration;
using Pipeline.Storage.Spool;

namespace Pipeline.ClickHouse.Tests.Spool;

public sealed class DiskSpoolOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new DiskSpoolOptions()));

    [Fact]
    public void ASmallSegmentAndASpoolSmallerThanOneSegmentAreBothReported()
    {
        var options = new DiskSpoolOptions { SegmentBytes = 1024, MaxBytes = 512 };

        Assert.Equal(
        [
            "Pipeline:Sinks:ClickHouse:Spool:SegmentBytes: must be at least 64 KiB (got 1024).",
            "Pipeline:Sinks:ClickHouse:Spool:MaxBytes: must be at least Spool:SegmentBytes (got 512).",
        ], Errors(options));
    }

    private static List<string> Errors(DiskSpoolOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Sinks:ClickHouse:Spool", errors));
        return errors;
    }
}
