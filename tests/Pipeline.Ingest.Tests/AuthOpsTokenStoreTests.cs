using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Ingest.Auth;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

public sealed class AuthOpsTokenStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new();
    private readonly TokensFile _file;

    public AuthOpsTokenStoreTests()
    {
        _file = new TokensFile(_directory.Combine("ops.json"));
        _file.Write(TokensFile.Json(("alice", "alice-token"), ("bob", "bob-token")));
    }

    public void Dispose() => _directory.Dispose();

    private OpsTokenStore Open() => new(_file.Path, _time, NullLogger.Instance);

    [Fact]
    public void AnOpsTokenIsValidAndNamesItsUser()
    {
        using var store = Open();

        Assert.True(store.Verify("bob-token", out var name));
        Assert.Equal("bob", name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("carol-token")]
    public void AnythingElseIsNotValid(string? token)
    {
        using var store = Open();

        Assert.False(store.Verify(token, out var name));
        Assert.Null(name);
    }

    [Fact]
    public void WithoutAPathOpsAuthIsOff()
    {
        using var store = new OpsTokenStore(null, _time, NullLogger.Instance);

        Assert.False(store.Enabled);
        Assert.True(store.Verify(null, out var name));
        Assert.Null(name);
    }

    [Fact]
    public void ARemovedUserIsRefusedAfterTheReload()
    {
        using var store = Open();

        _file.Write(TokensFile.Json(("alice", "alice-token")));
        _time.Advance(WatchedTokenFile.PollInterval);
        _time.Advance(WatchedTokenFile.Debounce);

        Assert.False(store.Verify("bob-token", out _));
        Assert.True(store.Verify("alice-token", out var name));
        Assert.Equal("alice", name);
    }
}
