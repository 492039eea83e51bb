using Pipeline.Blocks.Configuration;
using Pipeline.Storage.Files;

namespace Pipeline.Storage.Tests.Files;

public sealed class FilesSinkOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new FilesSinkOptions()));

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPath()
    {
        var options = new FilesSinkOptions
        {
            MaxFileBytes = 10,
            MaxFileAge = TimeSpan.Zero,
            RetainFiles = -1,
            RetainAge = TimeSpan.FromSeconds(-1),
            WriteRetries = -1,
        };

        Assert.Equal(
        [
            "Pipeline:Sinks:Files:MaxFileBytes: must be at least 4096 (got 10).",
            "Pipeline:Sinks:Files:MaxFileAge: must be positive (got 00:00:00).",
            "Pipeline:Sinks:Files:RetainFiles: must be 0 (keep all) or more (got -1).",
            "Pipeline:Sinks:Files:RetainAge: must be zero (keep all) or positive (got -00:00:01).",
            "Pipeline:Sinks:Files:WriteRetries: must be 0 or more (got -1).",
        ], Errors(options));
    }

    private static List<string> Errors(FilesSinkOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Sinks:Files", errors));
        return errors;
    }
}
