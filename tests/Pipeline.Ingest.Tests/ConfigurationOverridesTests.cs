using System.CommandLine;
using Pipeline.Ingest.Cli;

namespace Pipeline.Ingest.Tests;

public sealed class ConfigurationOverridesTests
{
    private static Command Root => new RootCommand { new Command("errors") { new Option<int>("--hours") } };

    [Fact]
    public void BothFormsAreTakenOutAndTheRestIsLeftInOrder()
    {
        var overrides = new ConfigurationOverrides();

        Assert.True(overrides.TrySplit(["--Pipeline:DataDir=/x", "errors", "--Logging:LogLevel:Default", "Warning", "--hours", "6"], Root, out var rest, out _));

        Assert.Equal(["errors", "--hours", "6"], rest);
        Assert.Equal(["--Pipeline:DataDir=/x", "--Logging:LogLevel:Default", "Warning"], overrides.Arguments);
        Assert.Equal(["--Pipeline:DataDir=/x", "--Logging:LogLevel:Default"], overrides.Keys);
    }

    [Fact]
    public void AnOptionWrittenWithAColonIsLeftToTheParser()
    {
        var overrides = new ConfigurationOverrides();

        Assert.True(overrides.TrySplit(["errors", "--hours:6"], Root, out var rest, out _));

        Assert.Equal(["errors", "--hours:6"], rest);
        Assert.Empty(overrides.Arguments);
    }

    [Fact]
    public void NothingAfterADoubleDashIsAnOverride()
    {
        var overrides = new ConfigurationOverrides();

        Assert.True(overrides.TrySplit(["errors", "--", "--Pipeline:DataDir=/x"], Root, out var rest, out _));

        Assert.Equal(["errors", "--", "--Pipeline:DataDir=/x"], rest);
        Assert.Empty(overrides.Arguments);
    }

    [Fact]
    public void AnOverrideWithoutAValueAtTheEndIsAnError()
    {
        var overrides = new ConfigurationOverrides();

        Assert.False(overrides.TrySplit(["validate", "--Pipeline:DataDir"], Root, out _, out var problem));

        Assert.Equal("'--Pipeline:DataDir' needs a value: --Pipeline:DataDir=VALUE or --Pipeline:DataDir VALUE.", problem);
    }

    [Fact]
    public void OnlyTheVerbsThatSayTheyReadOverridesDo()
    {
        var overrides = new ConfigurationOverrides();
        var reads = overrides.ReadBy(new Command("logs"), pipelineOnly: true);

        Assert.True(overrides.AreReadBy(reads, out var pipelineOnly));
        Assert.True(pipelineOnly);
        Assert.False(overrides.AreReadBy(new Command("robots"), out _));
    }
}
