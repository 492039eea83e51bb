using Pipeline.Ingest.Cli;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>The verbs that call <c>/api</c> send <c>--token</c> (or <c>$PIPELINE_TOKEN</c>) as Bearer, and <c>auth hash-token</c>.</summary>
public sealed class AuthCliTests : IDisposable
{
    private const string Token = "alice-ops-token";

    /// <summary>The SHA-256 of "test", as <c>printf test | sha256sum</c> prints it.</summary>
    private const string TestHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>A service with ops tokens and one alert rule (so <c>/api/alerts</c> answers 200).</summary>
    private Task<TestPipeline> StartAsync() => TestPipeline.StartAsync(new Dictionary<string, string>
    {
        ["Auth:OpsTokensPath"] = _directory.Write("ops.json", TokensFile.Json(("alice", Token))),
        ["Alerts:Rules:0:Name"] = "errors",
        ["Alerts:Rules:0:Kind"] = "threshold",
        ["Alerts:Rules:0:Window"] = "00:01:00",
        ["Alerts:Rules:0:Threshold"] = "100",
    });

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PipelineCommands.InvokeAsync(args, output, error, TextReader.Null);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> HashFromStdinAsync(string stdin)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PipelineCommands.InvokeAsync(["auth", "hash-token"], output, error, new StringReader(stdin));
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task AlertsListWithTheTokenPrintsTheAlerts()
    {
        await using var pipeline = await StartAsync();

        var (exitCode, output, error) = await RunAsync("alerts", "list", "--url", pipeline.HttpUri.ToString(), "--token", Token);

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        Assert.Equal("No active alerts.", output.Trim());
    }

    [Fact]
    public async Task AlertsListWithoutATokenPrintsOneLineSayingHowToPassOne()
    {
        await using var pipeline = await StartAsync();

        var result = await PipelineCli.RunAsync(_directory.Path, "alerts", "list", "--url", pipeline.HttpUri.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("pipeline alerts list: the service requires an ops token: pass --token or set PIPELINE_TOKEN", result.StdErr.TrimEnd());
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task AlertsListTakesTheTokenFromPipelineToken()
    {
        await using var pipeline = await StartAsync();

        var result = await PipelineCli.RunWithAsync(_directory.Path, new Dictionary<string, string> { ["PIPELINE_TOKEN"] = Token }, stdin: null,
            "alerts", "list", "--url", pipeline.HttpUri.ToString());

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("No active alerts.", result.StdOut.Trim());
    }

    [Fact]
    public async Task AlertsListWithAWrongTokenSaysTheTokenWasRejected()
    {
        await using var pipeline = await StartAsync();

        var (exitCode, _, error) = await RunAsync("alerts", "list", "--url", pipeline.HttpUri.ToString(), "--token", "guessed");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("pipeline alerts list: the service rejected the ops token: check --token or PIPELINE_TOKEN", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task AlertsListSaysWhenNoServiceIsThere()
    {
        var (exitCode, _, error) = await RunAsync("alerts", "list", "--url", "http://127.0.0.1:9", "--token", Token);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("pipeline alerts list: cannot reach http://127.0.0.1:9/api/alerts", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsListRejectsAUrlThatIsNotHttp()
    {
        var (exitCode, _, error) = await RunAsync("alerts", "list", "--url", "localhost:5080");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--url must be an http:// or https:// address", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashTokenPrintsTheSha256OfTheArgument()
    {
        var result = await PipelineCli.RunAsync(_directory.Path, "auth", "hash-token", "test");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(TestHash + "\n", result.StdOut.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HashTokenReadsTheTokenFromStdinWhenItIsOmitted()
    {
        var result = await PipelineCli.RunWithAsync(_directory.Path, environment: null, stdin: "test\n", "auth", "hash-token");

        Assert.Equal("", result.StdErr);
        Assert.Equal(TestHash, result.StdOut.Trim());
    }

    [Theory]
    [InlineData("test")]
    [InlineData("test\r\n")]
    [InlineData("test\nsecond line\n")]
    public async Task HashTokenTakesTheFirstLineOfStdinWithoutItsLineEnd(string stdin)
    {
        var (exitCode, output, _) = await HashFromStdinAsync(stdin);

        Assert.Equal(0, exitCode);
        Assert.Equal(TestHash, output.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    public async Task HashTokenWithoutATokenExitsTwo(string stdin)
    {
        var (exitCode, output, error) = await HashFromStdinAsync(stdin);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("no token", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashTokenRefusesATokenThatAHeaderCannotCarry()
    {
        var (exitCode, output, error) = await HashFromStdinAsync(" padded ");

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("whitespace", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashTokenHelpHasAnExample()
    {
        var (_, output, _) = await RunAsync("auth", "hash-token", "--help");

        Assert.Contains("Example: openssl rand -hex 32", output, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Auth:RobotTokensPath", output, StringComparison.Ordinal);
    }
}
