using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><c>Pipeline:Auth</c> is bound and checked with the rest: a bad tokens file stops the start, naming the key and the entry.</summary>
public sealed class AuthSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static (PipelineSettings Settings, List<string> Errors) Load(params string[] args)
    {
        var errors = new List<string>();
        var settings = PipelineSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build(), errors);
        return (settings, errors);
    }

    [Fact]
    public void ByDefaultAuthIsOffWithTheDocumentedLimits()
    {
        var (settings, errors) = Load();

        Assert.Empty(errors);
        Assert.False(settings.Auth.RobotAuthEnabled);
        Assert.False(settings.Auth.OpsAuthEnabled);
        Assert.Equal(5, settings.Auth.MaxFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Auth.FailureWindow);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Auth.BlockFor);
    }

    [Fact]
    public void ValidTokensFilesAndLimitsAreBound()
    {
        var robots = _directory.Write("robots.json", TokensFile.Json(("robot-7", "t")));
        var ops = _directory.Write("ops.json", TokensFile.Json(("alice", "a")));

        var (settings, errors) = Load($"--Pipeline:Auth:RobotTokensPath={robots}", $"--Pipeline:Auth:OpsTokensPath={ops}",
            "--Pipeline:Auth:MaxFailures=3", "--Pipeline:Auth:FailureWindow=00:00:30", "--Pipeline:Auth:BlockFor=01:00:00");

        Assert.Empty(errors);
        Assert.Equal(robots, settings.Auth.RobotTokensPath);
        Assert.True(settings.Auth.OpsAuthEnabled);
        Assert.Equal(3, settings.Auth.MaxFailures);
        Assert.Equal(TimeSpan.FromHours(1), settings.Auth.BlockFor);
    }

    [Theory]
    [InlineData("RobotTokensPath")]
    [InlineData("OpsTokensPath")]
    public void AMissingTokensFileIsAnErrorNamingTheKey(string key)
    {
        var path = _directory.Combine("absent.json");

        var (_, errors) = Load($"--Pipeline:Auth:{key}={path}");

        var error = Assert.Single(errors);
        Assert.StartsWith($"Pipeline:Auth:{key}: '{path}' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidTokensFileIsAnErrorNamingTheKeyAndTheEntry()
    {
        var path = _directory.Write("robots.json", """{"robot-7":"abc","robot-8":1}""");

        var (_, errors) = Load($"--Pipeline:Auth:RobotTokensPath={path}");

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.StartsWith($"Pipeline:Auth:RobotTokensPath: {path}: entry \"robot-", e, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"robot-7\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"robot-8\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--Pipeline:Auth:MaxFailures=0", "Pipeline:Auth:MaxFailures")]
    [InlineData("--Pipeline:Auth:MaxFailures=101", "Pipeline:Auth:MaxFailures")]
    [InlineData("--Pipeline:Auth:FailureWindow=00:00:00", "Pipeline:Auth:FailureWindow")]
    [InlineData("--Pipeline:Auth:BlockFor=-00:00:01", "Pipeline:Auth:BlockFor")]
    [InlineData("--Pipeline:Auth:BlockFor=later", "Pipeline:Auth:BlockFor")]
    [InlineData("--Pipeline:Auth:OpsToken=x", "Pipeline:Auth:OpsToken")]
    public void ABadValueIsRejectedNamingItsKey(string argument, string key)
    {
        var (_, errors) = Load(argument);

        Assert.StartsWith(key + ":", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyPathLeavesThatAuthOff()
    {
        var (settings, errors) = Load("--Pipeline:Auth:OpsTokensPath=");

        Assert.Empty(errors);
        Assert.False(settings.Auth.OpsAuthEnabled);
    }
}
