using System.Net;
using System.Net.Sockets;
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

    // Strictness (issue 12, item 6): every bad command line is one line on stderr naming the culprit, and exit 2.

    [Fact]
    public async Task AnUnknownVerbExitsTwoWithTheClosestVerbInsteadOfStartingTheService()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "stat");

        AssertOneLineFailure(result, "pipeline: unknown verb 'stat'. Did you mean 'stats'?");
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")), "an unknown verb must not start the service");
    }

    [Fact]
    public async Task AnUnknownVerbFarFromEveryVerbListsTheVerbs()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "frobnicate");

        AssertOneLineFailure(result, "unknown verb 'frobnicate'; the verbs are run, validate, patterns, logs, stats, errors, sql, alerts, robots, auth, tail, top.");
    }

    [Fact]
    public async Task AnUnknownSubverbExitsTwoWithTheClosestSubverb()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "robots", "lst");

        AssertOneLineFailure(result, "pipeline robots: unknown verb 'lst'. Did you mean 'list'?");
    }

    [Fact]
    public async Task AVerbGroupWithoutItsSubverbNamesThem()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "alerts");

        AssertOneLineFailure(result, "pipeline alerts: a verb is needed: list, check or test.");
    }

    [Fact]
    public async Task ValidateWithAnUnknownOptionExitsTwoAndListsItsOptions()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--bogus");

        AssertOneLineFailure(result, "pipeline validate: unknown option '--bogus'; its options are --config, --help, --Section:Key=value.");
        Assert.DoesNotContain("valid", result.StdOut);
    }

    [Fact]
    public async Task AMistypedOptionSuggestsTheClosestOption()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--confg", "x.json");

        AssertOneLineFailure(result, "pipeline validate: unknown option '--confg'. Did you mean '--config'?");
    }

    [Fact]
    public async Task AnUnknownOptionWithoutAVerbDoesNotStartTheService()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "--bogus");

        AssertOneLineFailure(result, "pipeline: unknown option '--bogus'");
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "data")), "an unknown option must not start the service");
    }

    [Fact]
    public async Task AMissingArgumentIsNamed()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "robots", "show");

        AssertOneLineFailure(result, "pipeline robots show: missing ID: the robot's id (its robot_id).");
    }

    [Fact]
    public async Task AnExtraArgumentIsRefused()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "auth", "hash-token", "one", "two");

        AssertOneLineFailure(result, "pipeline auth hash-token: unexpected argument 'two': hash-token takes TOKEN.");
    }

    [Fact]
    public async Task AnOptionValueOfTheWrongTypeIsOneLine()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "errors", "--hours", "six");

        AssertOneLineFailure(result, "pipeline errors: --hours takes a whole number, not 'six'.");
    }

    [Fact]
    public async Task AnOptionWithoutItsValueIsNamed()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--config");

        AssertOneLineFailure(result, "pipeline validate: --config needs a value (FILE).");
    }

    [Fact]
    public async Task HelpAsAVerbPointsToTheHelpOption()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "help");

        AssertOneLineFailure(result, "pipeline: unknown verb 'help'. Did you mean '--help'?");
    }

    [Fact]
    public async Task AConfigurationOverrideToAVerbThatReadsNoConfigurationIsRefused()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "robots", "list", "--Pipeline:Ingest:HttpUrl=http://127.0.0.1:9");

        AssertOneLineFailure(result, "pipeline robots list: unknown option '--Pipeline:Ingest:HttpUrl=http://127.0.0.1:9': robots list reads no configuration; its options are --url, --token, --json, --help.");
    }

    [Fact]
    public async Task AQueryVerbRefusesSettingsOutsidePipeline()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "logs", "--Logging:LogLevel:Default=Warning");

        AssertOneLineFailure(result, "pipeline logs: '--Logging:LogLevel:Default=Warning' has no effect here: logs reads only Pipeline:… settings.");
    }

    [Fact]
    public async Task AMistypedSettingsSectionSuggestsPipeline()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--Pipline:DataDir=/x");

        AssertOneLineFailure(result, "pipeline validate: unknown settings section 'Pipline' in '--Pipline:DataDir=/x'. Did you mean '--Pipeline:DataDir=/x'?");
    }

    [Fact]
    public async Task AConfigurationOverrideWithoutAValueIsRefused()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--Pipeline:DataDir");

        AssertOneLineFailure(result, "pipeline: '--Pipeline:DataDir' needs a value: --Pipeline:DataDir=VALUE or --Pipeline:DataDir VALUE.");
    }

    [Fact]
    public async Task ValidateReadsAnOverrideWhoseValueIsTheNextArgument()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--Pipeline:Blocks:Parse:BoundedCapacity", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Blocks:Parse:BoundedCapacity", result.StdErr);
        Assert.DoesNotContain("unknown", result.StdErr);
    }

    [Fact]
    public async Task ValidateAcceptsTheOverridesTheServiceAccepts()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "validate", "--Pipeline:DataDir=/tmp/pipeline-data", "--Logging:LogLevel:Default=Warning",
            "--Pipeline:Ingest:TcpEndpoint", "127.0.0.1:5190");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Configuration is valid.\n", result.StdOut);
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task TheServiceWithoutAVerbReadsOverridesInBothForms()
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, "--Logging:LogLevel:Default=Warning", "--Pipeline:Blocks:Parse:BoundedCapacity", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Pipeline:Blocks:Parse:BoundedCapacity", result.StdErr);
        Assert.DoesNotContain("unknown", result.StdErr);
    }

    [Fact]
    public async Task ATakenHttpPortIsOneFriendlyLineWithoutAStackTrace()
    {
        using var dir = new TempDirectory();
        using var holder = Listen();
        var tcp = FreePort();

        var result = await PipelineCli.RunAsync(dir.Path, "run", $"--Pipeline:DataDir={dir.Path}",
            $"--Pipeline:Ingest:HttpUrl=http://127.0.0.1:{Port(holder)}", $"--Pipeline:Ingest:TcpEndpoint=127.0.0.1:{tcp}");

        AssertOneLineFailure(result, $"pipeline: cannot listen on http://127.0.0.1:{Port(holder)} (Pipeline:Ingest:HttpUrl): another process holds the port.");
        Assert.DoesNotContain("   at ", result.StdOut);
        Assert.DoesNotContain("Exception", result.StdOut);
    }

    [Fact]
    public async Task ATakenTcpPortIsOneFriendlyLineWithoutAStackTrace()
    {
        using var dir = new TempDirectory();
        using var holder = Listen();
        var http = FreePort();

        var result = await PipelineCli.RunAsync(dir.Path, $"--Pipeline:DataDir={dir.Path}",
            $"--Pipeline:Ingest:HttpUrl=http://127.0.0.1:{http}", $"--Pipeline:Ingest:TcpEndpoint=127.0.0.1:{Port(holder)}");

        AssertOneLineFailure(result, $"pipeline: cannot listen on 127.0.0.1:{Port(holder)} (Pipeline:Ingest:TcpEndpoint): another process holds the port.");
        Assert.DoesNotContain("   at ", result.StdOut);
        Assert.DoesNotContain("Exception", result.StdOut);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("validate", "--help")]
    [InlineData("patterns", "mine", "--help")]
    [InlineData("logs", "--help")]
    [InlineData("stats", "--help")]
    [InlineData("errors", "--help")]
    [InlineData("sql", "--help")]
    [InlineData("alerts", "list", "--help")]
    [InlineData("alerts", "check", "--help")]
    [InlineData("alerts", "test", "--help")]
    [InlineData("robots", "list", "--help")]
    [InlineData("robots", "show", "--help")]
    [InlineData("robots", "command", "--help")]
    [InlineData("robots", "stats", "--help")]
    [InlineData("auth", "hash-token", "--help")]
    public async Task HelpHasNoSectionForArgumentsThatNoVerbTakes(params string[] args)
    {
        using var dir = new TempDirectory();

        var result = await PipelineCli.RunAsync(dir.Path, args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut);
        Assert.DoesNotContain("Additional Arguments", result.StdOut);
        Assert.DoesNotContain("application that is being run", result.StdOut);
    }

    [Fact]
    public async Task ValidateHelpSaysWhatItPrints()
    {
        using var dir = new TempDirectory();

        var help = await PipelineCli.RunAsync(dir.Path, "validate", "--help");
        var run = await PipelineCli.RunAsync(dir.Path, "validate");

        Assert.Equal("Configuration is valid.\n", run.StdOut);
        Assert.Contains("prints \"Configuration is valid.\" and exits 0", string.Join(' ', help.StdOut.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void TheReadmesCliSectionHasARowForEveryVerbAndSubverb()
    {
        var root = Pipeline.Ingest.Cli.PipelineCommands.Create(TextWriter.Null, TextWriter.Null, TextReader.Null, new Pipeline.Ingest.Cli.ConfigurationOverrides());
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var start = readme.IndexOf("\n## CLI\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## CLI' section");
        var section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        foreach (var verb in root.Subcommands)
        {
            var leaves = verb.Subcommands.Count == 0 ? [verb.Name] : verb.Subcommands.Select(s => $"{verb.Name} {s.Name}").ToList();
            foreach (var leaf in leaves)
            {
                var row = verb.Name == "run" ? "| `pipeline [run]" : $"| `pipeline {leaf}";
                Assert.True(section.Contains(row, StringComparison.Ordinal), $"README's CLI table has no row for 'pipeline {leaf}'");
            }
        }
    }

    private static void AssertOneLineFailure(PipelineCli.Result result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.Single(result.StdErr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("Usage:", result.StdErr + result.StdOut);
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A port nobody listens on now (the service binds it a moment later; the other one is the point of the test).</summary>
    private static int FreePort()
    {
        using var probe = Listen();
        return Port(probe);
    }
}
