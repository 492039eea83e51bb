using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Ingest.Auth;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <remarks>
/// Reloads are driven by the store's poll and debounce on a fake clock, so they happen inside
/// <see cref="Reload"/>; the real file watcher only re-arms the fake debounce and cannot reload on its own.
/// </remarks>
public sealed class AuthRobotTokenStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger _logger = new();
    private readonly TokensFile _file;

    public AuthRobotTokenStoreTests()
    {
        _file = new TokensFile(_directory.Combine("robots.json"));
        _file.Write(TokensFile.Json(("robot-7", "seven-secret"), ("robot-8", "eight-secret")));
    }

    public void Dispose() => _directory.Dispose();

    private RobotTokenStore Open() => new(_file.Path, _time, _logger);

    /// <summary>A poll tick that notices the change, then the quiet time before the reload.</summary>
    private void Reload()
    {
        _time.Advance(WatchedTokenFile.PollInterval);
        _time.Advance(WatchedTokenFile.Debounce);
    }

    [Fact]
    public void TheRightTokenIsOk()
    {
        using var store = Open();

        Assert.True(store.Enabled);
        Assert.Equal(AuthResult.Ok, store.Verify("robot-7", "seven-secret"));
        Assert.Equal(AuthResult.Ok, store.Verify("robot-8", "eight-secret"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NoTokenIsMissingToken(string? token)
    {
        using var store = Open();

        Assert.Equal(AuthResult.MissingToken, store.Verify("robot-7", token));
    }

    [Fact]
    public void ARobotNotInTheFileIsUnknownRobot()
    {
        using var store = Open();

        Assert.Equal(AuthResult.UnknownRobot, store.Verify("robot-9", "seven-secret"));
        Assert.Equal(AuthResult.UnknownRobot, store.Verify("ROBOT-7", "seven-secret"));
    }

    [Fact]
    public void AnotherRobotsTokenIsBadToken()
    {
        using var store = Open();

        Assert.Equal(AuthResult.BadToken, store.Verify("robot-7", "eight-secret"));
        Assert.Equal(AuthResult.BadToken, store.Verify("robot-7", "seven-secret "));
    }

    [Fact]
    public void AVeryLongTokenIsHashedAndRejected()
    {
        using var store = Open();

        Assert.Equal(AuthResult.BadToken, store.Verify("robot-7", new string('x', 10_000)));
    }

    [Fact]
    public void WithoutAPathRobotAuthIsOffAndEveryRobotIsOk()
    {
        using var store = new RobotTokenStore(null, _time, NullLogger.Instance);

        Assert.False(store.Enabled);
        Assert.Equal(AuthResult.Ok, store.Verify("anyone", null));
    }

    [Fact]
    public void AnInvalidFileAtStartThrowsNamingTheEntry()
    {
        _file.Write("""{"robot-7":"not-a-hash"}""");

        var ex = Assert.Throws<FormatException>(Open);
        Assert.Contains("entry \"robot-7\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChangedFileIsReloadedAndItsNewTokenWorks()
    {
        using var store = Open();

        _file.Write(TokensFile.Json(("robot-7", "rotated-secret"), ("robot-9", "nine-secret")));
        Reload();

        Assert.Equal(AuthResult.Ok, store.Verify("robot-7", "rotated-secret"));
        Assert.Equal(AuthResult.BadToken, store.Verify("robot-7", "seven-secret"));
        Assert.Equal(AuthResult.Ok, store.Verify("robot-9", "nine-secret"));
        Assert.Equal(AuthResult.UnknownRobot, store.Verify("robot-8", "eight-secret"));
    }

    [Fact]
    public void AnInvalidReloadKeepsTheOldTokensAndLogsWhatIsWrong()
    {
        using var store = Open();

        _file.Write($$"""{"robot-7":"{{TokensFile.Hash("rotated")}}","robot-8":"abc"}""");
        Reload();

        Assert.Equal(AuthResult.Ok, store.Verify("robot-7", "seven-secret"));
        Assert.Equal(AuthResult.BadToken, store.Verify("robot-7", "rotated"));
        var error = Assert.Single(_logger.Errors);
        Assert.Contains(_file.Path, error, StringComparison.Ordinal);
        Assert.Contains("the previous 2 token(s) stay in force", error, StringComparison.Ordinal);
        Assert.Contains("entry \"robot-8\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeletedFileKeepsTheOldTokens()
    {
        using var store = Open();

        File.Delete(_file.Path);
        Reload();

        Assert.Equal(AuthResult.Ok, store.Verify("robot-7", "seven-secret"));
        Assert.Contains("does not exist", Assert.Single(_logger.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileFixedAfterAnInvalidReloadIsTaken()
    {
        using var store = Open();
        _file.Write("{ broken");
        Reload();

        _file.Write(TokensFile.Json(("robot-7", "fixed")));
        Reload();

        Assert.Equal(AuthResult.Ok, store.Verify("robot-7", "fixed"));
    }
}
