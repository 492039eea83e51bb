using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>Configuration is bound and checked when the host is built; every error names its key.</summary>
public sealed class PipelineSettingsTests
{
    [Theory]
    [InlineData("--Pipeline:Blocks:Parse:BoundedCapacity=0", "Pipeline:Blocks:Parse:BoundedCapacity")]
    [InlineData("--Pipeline:Blocks:Redact:MaxDegreeOfParallelism=0", "Pipeline:Blocks:Redact:MaxDegreeOfParallelism")]
    [InlineData("--Pipeline:Blocks:Files:BoundedCapacity=-1", "Pipeline:Blocks:Files:BoundedCapacity")]
    [InlineData("--Pipeline:Ingest:MaxConnections=0", "Pipeline:Ingest:MaxConnections")]
    [InlineData("--Pipeline:Ingest:MaxLineBytes=10", "Pipeline:Ingest:MaxLineBytes")]
    [InlineData("--Pipeline:Ingest:FlushInterval=00:00:00", "Pipeline:Ingest:FlushInterval")]
    [InlineData("--Pipeline:Ingest:TcpEndpoint=nowhere", "Pipeline:Ingest:TcpEndpoint")]
    [InlineData("--Pipeline:Ingest:HttpUrl=https://127.0.0.1:5080", "Pipeline:Ingest:HttpUrl")]
    [InlineData("--Pipeline:DeadLetter:QueueCapacity=0", "Pipeline:DeadLetter:QueueCapacity")]
    [InlineData("--Pipeline:Sinks:Files:MaxFileBytes=10", "Pipeline:Sinks:Files:MaxFileBytes")]
    [InlineData("--Pipeline:Blocks:PatternMine:MaxDegreeOfParallelism=0", "Pipeline:Blocks:PatternMine:MaxDegreeOfParallelism")]
    [InlineData("--Pipeline:PatternMine:MaxTemplates=0", "Pipeline:PatternMine:MaxTemplates")]
    [InlineData("--Pipeline:PatternMine:SimilarityThreshold=1.5", "Pipeline:PatternMine:SimilarityThreshold")]
    [InlineData("--Pipeline:PatternMine:MessageCacheSize=-1", "Pipeline:PatternMine:MessageCacheSize")]
    [InlineData("--Pipeline:Parse:MaxStringChars=-1", "Pipeline:Parse:MaxStringChars")]
    [InlineData("--Pipeline:Parse:MaxStringChars=15", "Pipeline:Parse:MaxStringChars")]
    public void OutOfRangeValueIsRejectedNamingItsKey(string argument, string key)
    {
        var error = Assert.Single(BuildErrors(argument));

        Assert.StartsWith(key + ":", error);
    }

    [Fact]
    public void TheFilesSinksOldCapacityKeysStillWorkAndSayWhereTheyMoved()
    {
        var errors = new List<string>();
        var settings = PipelineSettings.Load(Configuration("--Pipeline:Blocks:Files:BoundedCapacity=3", "--Pipeline:Blocks:Files:MaxDegreeOfParallelism=1"), errors);

        Assert.Empty(errors);
        Assert.Equal(3, settings.Files.BoundedCapacity);
        Assert.Equal(1, settings.Files.MaxDegreeOfParallelism);
        Assert.Equal(2, settings.Warnings.Count);
        Assert.Contains(settings.Warnings, w => w.StartsWith("Pipeline:Blocks:Files:BoundedCapacity is deprecated: set Pipeline:Sinks:Files:BoundedCapacity instead", StringComparison.Ordinal));
    }

    [Fact]
    public void TheNewFilesSinkCapacityKeyWinsOverTheOldOne()
    {
        var errors = new List<string>();
        var settings = PipelineSettings.Load(Configuration("--Pipeline:Blocks:Files:BoundedCapacity=3", "--Pipeline:Sinks:Files:BoundedCapacity=5"), errors);

        Assert.Empty(errors);
        Assert.Equal(5, settings.Files.BoundedCapacity);
        Assert.Contains("ignored", Assert.Single(settings.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void TheFilesSinkCapacityIsRejectedNamingItsNewKey()
    {
        var errors = new List<string>();
        PipelineSettings.Load(Configuration("--Pipeline:Sinks:Files:BoundedCapacity=0"), errors);

        Assert.StartsWith("Pipeline:Sinks:Files:BoundedCapacity:", Assert.Single(errors));
    }

    private static IConfiguration Configuration(params string[] args) =>
        new ConfigurationBuilder().AddCommandLine(args).Build();

    [Theory]
    [InlineData("--Pipeline:Ingest:MaxLineBytes=lots", "Pipeline:Ingest:MaxLineBytes")]
    [InlineData("--Pipeline:Ingest:MaxConnections=1.5", "Pipeline:Ingest:MaxConnections")]
    [InlineData("--Pipeline:Blocks:Parse:BoundedCapacity=eight", "Pipeline:Blocks:Parse:BoundedCapacity")]
    [InlineData("--Pipeline:Ingest:IdleTimeout=soon", "Pipeline:Ingest:IdleTimeout")]
    [InlineData("--Pipeline:Sinks:Files:Enabled=maybe", "Pipeline:Sinks:Files:Enabled")]
    [InlineData("--Pipeline:PatternMine:Enabled=maybe", "Pipeline:PatternMine:Enabled")]
    [InlineData("--Pipeline:Routes:0:Match:LevelCodes:0=nine", "Pipeline:Routes:0:Match:LevelCodes:0")]
    [InlineData("--Pipeline:Routes:0:Match:Templates:0=-1", "Pipeline:Routes:0:Match:Templates:0")]
    [InlineData("--Pipeline:Redact:Keys=password", "Pipeline:Redact:Keys")]
    [InlineData("--Pipeline:Routes:first:Name=a", "Pipeline:Routes:first")]
    [InlineData("--Pipeline:Routes:0:Bogus=1", "Pipeline:Routes:0:Bogus")]
    [InlineData("--Pipeline:Sinks:RabbitMq:Mode=Sideways", "Pipeline:Sinks:RabbitMq:Mode")]
    public void ValueOfTheWrongTypeIsRejectedNamingItsKey(string argument, string key)
    {
        var error = Assert.Single(BuildErrors(argument));

        Assert.Contains(key, error);
    }

    [Theory]
    [InlineData("--Pipeline:Ingest:Bogus=1", "Pipeline:Ingest")]
    [InlineData("--Pipeline:Sinks:Files:Bogus=1", "Pipeline:Sinks:Files")]
    [InlineData("--Pipeline:Blocks:Bogus:BoundedCapacity=1", "Pipeline:Blocks")]
    [InlineData("--pipeline:ingest:bogus=1", "Pipeline:Ingest")]
    [InlineData("--Pipeline:PatternMine:Bogus=1", "Pipeline:PatternMine")]
    [InlineData("--Pipeline:PatternMine:Anomalies:Bogus=1", "Pipeline:PatternMine:Anomalies")]
    public void UnknownKeyIsRejectedNamingItsSectionAndName(string argument, string section)
    {
        var error = Assert.Single(BuildErrors(argument));

        Assert.StartsWith(section + ":", error);
        Assert.Contains("Bogus", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--Pipeline:Blocks:Parse:Bogus=1", "Pipeline:Blocks:Parse")]
    [InlineData("--Pipeline:Blocks:FanOut:Capacity=8", "Pipeline:Blocks:FanOut")]
    public void UnknownKeyInsideABlockIsRejectedNamingTheBlock(string argument, string block)
    {
        // Five blocks share one options type: an error that says only "Pipeline:Blocks" and the
        // property name does not tell the operator which block's settings are wrong.
        var error = Assert.Single(BuildErrors(argument));

        Assert.Contains(block, error);
    }

    [Theory]
    [InlineData("--Pipeline:Bogus=1", "Pipeline:Bogus")]
    [InlineData("--Pipeline:Bogus:Setting=1", "Pipeline:Bogus")]
    [InlineData("--Pipeline:Sinks:Kafka:Brokers=x", "Pipeline:Sinks:Kafka")]
    public void UnknownSectionIsRejectedNamingIt(string argument, string key)
    {
        var error = Assert.Single(BuildErrors(argument));

        Assert.StartsWith(key + ":", error);
    }

    [Fact]
    public void EveryBadKeyIsReportedAtOnce()
    {
        var errors = BuildErrors(
            "--Pipeline:Blocks:Parse:BoundedCapacity=0",
            "--Pipeline:Ingest:MaxConnections=0",
            "--Pipeline:Bogus=1");

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Pipeline:Blocks:Parse:BoundedCapacity"));
        Assert.Contains(errors, e => e.Contains("Pipeline:Ingest:MaxConnections"));
        Assert.Contains(errors, e => e.Contains("Pipeline:Bogus"));
    }

    [Fact]
    public void EveryBadPatternMineKeyIsReportedAtOnceIncludingItsSubSections()
    {
        // The miner's options used to throw at the first bad key, so only one of these was reported.
        var errors = BuildErrors(
            "--Pipeline:PatternMine:MaxTemplates=0",
            "--Pipeline:PatternMine:MaxTokens=1",
            "--Pipeline:PatternMine:Snapshots:Interval=00:00:00",
            "--Pipeline:PatternMine:Anomalies:MinEvents=0");

        Assert.Equal(
        [
            "Pipeline:PatternMine:MaxTemplates: must be at least 1. (got 0).",
            "Pipeline:PatternMine:MaxTokens: must be at least 2. (got 1).",
            "Pipeline:PatternMine:Snapshots:Interval must be positive, e.g. 00:00:30. (got 00:00:00).",
            "Pipeline:PatternMine:Anomalies:MinEvents must be at least 1. (got 0).",
        ], errors);
    }

    [Fact]
    public void ValueOfTheWrongTypeDoesNotHideOtherErrorsInItsSection()
    {
        // IdleTimeout is bound before MaxConnections: a failed conversion must not stop the rest
        // of the section from being bound and checked, or fixing one key only reveals the next.
        var errors = BuildErrors("--Pipeline:Ingest:IdleTimeout=soon", "--Pipeline:Ingest:MaxConnections=0");

        Assert.Contains(errors, e => e.Contains("Pipeline:Ingest:IdleTimeout"));
        Assert.Contains(errors, e => e.Contains("Pipeline:Ingest:MaxConnections"));
    }

    [Fact]
    public async Task TheServiceLogsEachDeprecatedKeyOnceAtStartWithWhereItMoved()
    {
        var logs = new WarningLines();
        await using var app = PipelineHost.Build(
            ["--Pipeline:Blocks:Files:MaxDegreeOfParallelism=1", "--Pipeline:DataDir=" + Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"))],
            configFile: null,
            services => services.AddLogging(b => b.AddProvider(logs)));

        var line = Assert.Single(logs.Lines, l => l.Contains("deprecated", StringComparison.Ordinal));
        Assert.Equal("Pipeline:Blocks:Files:MaxDegreeOfParallelism is deprecated: set Pipeline:Sinks:Files:MaxDegreeOfParallelism instead (used for now).", line);
    }

    [Fact]
    public void ExceptionMessageListsTheErrors()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PipelineHost.Build(["--Pipeline:Blocks:Parse:BoundedCapacity=0"]));

        Assert.Contains("Pipeline:Blocks:Parse:BoundedCapacity", ex.Message);
    }

    [Fact]
    public async Task ValidOverridesBuildAHost()
    {
        using var dataDir = new TempDirectory();
        await using var app = PipelineHost.Build(
        [
            $"--Pipeline:DataDir={dataDir.Path}",
            "--Pipeline:Blocks:Parse:BoundedCapacity=4",
            "--Pipeline:Blocks:Parse:MaxDegreeOfParallelism=3",
            "--Pipeline:Ingest:MaxLineBytes=4096",
            "--Pipeline:Ingest:IdleTimeout=00:10:00",
            "--pipeline:ingest:maxconnections=7",
        ]);

        var settings = (PipelineSettings)app.Services.GetService(typeof(PipelineSettings))!;
        Assert.Equal(4, settings.Blocks.Parse.BoundedCapacity);
        Assert.Equal(3, settings.Blocks.Parse.MaxDegreeOfParallelism);
        Assert.Equal(4096, settings.Ingest.MaxLineBytes);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.Ingest.IdleTimeout);
        Assert.Equal(7, settings.Ingest.MaxConnections);
    }

    private static List<string> BuildErrors(params string[] args)
    {
        var ex = Assert.Throws<ConfigurationException>(() => PipelineHost.Build(args));
        return [.. ex.Errors];
    }

    /// <summary>Keeps the text of every warning the host logs.</summary>
    private sealed class WarningLines : ILoggerProvider, ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (_lines)
                {
                    _lines.Add(formatter(state, exception));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
