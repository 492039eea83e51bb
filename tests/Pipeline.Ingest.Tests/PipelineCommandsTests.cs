using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>The <c>pipeline</c> executable's verbs, run as a child process like an operator would.</summary>
public sealed class PipelineCommandsTests
{
    [Fact]
    public async Task ValidateExitsTwoAndNamesTheBadKeyOfTheFile()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("bad.json", """{ "Pipeline": { "Blocks": { "Parse": { "BoundedCapacity": 0 } } } }""");

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Blocks:Parse:BoundedCapacity", result.StdErr);
        Assert.DoesNotContain("Configuration is valid", result.StdOut);
    }

    [Fact]
    public async Task ValidateNamesAnUnknownKeyOfTheFile()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("unknown.json", """{ "Pipeline": { "Ingest": { "MaxLineBytes": 4096, "Bogus": 1 } } }""");

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Ingest", result.StdErr);
        Assert.Contains("Bogus", result.StdErr);
    }

    [Fact]
    public async Task ValidateListsEveryBadKey()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("bad.json", """
            { "Pipeline": { "Ingest": { "MaxConnections": 0 }, "Blocks": { "FanOut": { "BoundedCapacity": "many" } }, "Nonsense": true } }
            """);

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Ingest:MaxConnections", result.StdErr);
        Assert.Contains("Pipeline:Blocks:FanOut:BoundedCapacity", result.StdErr);
        Assert.Contains("Pipeline:Nonsense", result.StdErr);
    }

    [Fact]
    public async Task ValidateExitsZeroForAGoodFile()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("good.json", """
            {
              "Pipeline": {
                "DataDir": "/tmp/pipeline-data",
                "Ingest": { "HttpUrl": "http://127.0.0.1:5080", "TcpEndpoint": "127.0.0.1:5140", "MaxLineBytes": 65536, "IdleTimeout": "00:02:00" },
                "Blocks": { "Parse": { "BoundedCapacity": 16, "MaxDegreeOfParallelism": 2 } },
                "Sinks": { "Files": { "Enabled": true } }
              }
            }
            """);

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Configuration is valid.", result.StdOut);
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task ValidateWithoutAFileChecksTheDefaults()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Configuration is valid.", result.StdOut);
    }

    [Fact]
    public async Task ValidateChecksCommandLineOverrides()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--Pipeline:Blocks:Enrich:MaxDegreeOfParallelism=0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Blocks:Enrich:MaxDegreeOfParallelism", result.StdErr);
    }

    [Fact]
    public async Task ValidateRejectsAFileThatIsNotJson()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("broken.json", """{ "Pipeline": { "Ingest": """);

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("JSON", result.StdErr);
    }

    [Fact]
    public async Task ValidateRejectsAMissingFile()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "missing.json");

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.json", result.StdErr);
    }

    [Fact]
    public async Task PatternsMineNamesEveryBadOptionAndExitsTwo()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "patterns", "mine", "--Pipeline:PatternMine:MaxTemplates=0", "--Pipeline:PatternMine:MaxTokens=1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:PatternMine:MaxTemplates: must be at least 1. (got 0).", result.StdErr);
        Assert.Contains("Pipeline:PatternMine:MaxTokens: must be at least 2. (got 1).", result.StdErr);
    }

    [Fact]
    public async Task RunWithABadKeyExitsTwoBeforeListening()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "run", "--Pipeline:Blocks:Parse:BoundedCapacity=0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Blocks:Parse:BoundedCapacity", result.StdErr);
    }

    [Fact]
    public async Task HelpOnTheRootListsTheVerbs()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage", result.StdOut);
        Assert.Contains("run", result.StdOut);
        Assert.Contains("validate", result.StdOut);
        Assert.Contains("--Pipeline:", result.StdOut);
    }

    [Theory]
    [InlineData("run", "Pipeline:Ingest:HttpUrl")]
    [InlineData("validate", "exits 2")]
    public async Task HelpOnAVerbDescribesItWithoutRunningIt(string verb, string described)
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, verb, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage", result.StdOut);
        Assert.Contains(verb, result.StdOut);
        Assert.Contains("--config", result.StdOut);
        Assert.Contains(described, result.StdOut);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")), "help must not start the service");
    }
}
