using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Enrich;

namespace Pipeline.Blocks.Tests.Enrich;

public sealed class EnrichOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new EnrichOptions()));

    [Fact]
    public void AMissingRegistryAndANonPositivePollIntervalAreBothReported()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "fleet.csv");
        var options = new EnrichOptions { RegistryPath = missing, RegistryPollInterval = TimeSpan.Zero };

        Assert.Equal(
        [
            $"Pipeline:Enrich:RegistryPath: file '{missing}' does not exist.",
            "Pipeline:Enrich:RegistryPollInterval: must be positive.",
        ], Errors(options));
    }

    private static List<string> Errors(EnrichOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Enrich", errors));
        return errors;
    }
}
