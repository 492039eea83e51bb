using Pipeline.Blocks.Configuration;
using Pipeline.Storage.DeadLetters;

namespace Pipeline.Storage.Tests.DeadLetters;

public sealed class DeadLetterOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new DeadLetterOptions()));

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPath()
    {
        var options = new DeadLetterOptions { MaxBytesPerRecord = 8, QueueCapacity = 0, MaxFileBytes = 100, RetainFiles = 0 };

        Assert.Equal(
        [
            "Pipeline:DeadLetter:MaxBytesPerRecord: must be 16 B to 1 MiB (got 8).",
            "Pipeline:DeadLetter:QueueCapacity: must be at least 1 (got 0).",
            "Pipeline:DeadLetter:MaxFileBytes: must be at least 4096 (got 100).",
            "Pipeline:DeadLetter:RetainFiles: must be at least 1 (got 0).",
        ], Errors(options));
    }

    private static List<string> Errors(DeadLetterOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:DeadLetter", errors));
        return errors;
    }
}
