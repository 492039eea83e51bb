using Pipeline.Ingest.Auth;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><see cref="TokenFile"/>: a tokens file is taken whole or not at all, and every bad entry is named.</summary>
public sealed class AuthTokenFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private (IReadOnlyDictionary<string, byte[]>? Tokens, List<string> Errors) Load(string content)
    {
        var errors = new List<string>();
        var tokens = TokenFile.Load(_directory.Write("tokens.json", content), errors);
        return (tokens, errors);
    }

    private static string Single(List<string> errors) => Assert.Single(errors);

    [Fact]
    public void AValidFileMapsEachNameToTheBytesOfItsHash()
    {
        var (tokens, errors) = Load($$"""{"robot-7":"{{TokensFile.Hash("seven")}}","robot-8":"{{TokensFile.Hash("eight")}}"}""");

        Assert.Empty(errors);
        Assert.Equal(2, tokens!.Count);
        Assert.Equal(TokensFile.Hash("seven"), Convert.ToHexStringLower(tokens["robot-7"]));
    }

    [Fact]
    public void AnEmptyObjectIsValidAndHoldsNoTokens()
    {
        var (tokens, errors) = Load("{}");

        Assert.Empty(errors);
        Assert.Empty(tokens!);
    }

    [Fact]
    public void UppercaseHexIsTakenAsTheSameHash()
    {
        var (tokens, _) = Load($$"""{"r1":"{{TokensFile.Hash("one").ToUpperInvariant()}}"}""");

        Assert.Equal(TokensFile.Hash("one"), Convert.ToHexStringLower(tokens!["r1"]));
    }

    [Fact]
    public void AFileThatIsNotJsonIsRejected()
    {
        var (tokens, errors) = Load("robot-7 = 9f86d081");

        Assert.Null(tokens);
        Assert.StartsWith("not valid JSON", Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AJsonArrayIsRejectedSayingAnObjectIsExpected()
    {
        var (tokens, errors) = Load("""["robot-7"]""");

        Assert.Null(tokens);
        Assert.Contains("must be a JSON object", Single(errors), StringComparison.Ordinal);
        Assert.Contains("got an array", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AValueThatIsNotHexIsRejectedNamingTheEntry()
    {
        var (tokens, errors) = Load($$"""{"robot-7":"{{new string('g', 64)}}"}""");

        Assert.Null(tokens);
        var error = Single(errors);
        Assert.StartsWith("entry \"robot-7\":", error, StringComparison.Ordinal);
        Assert.Contains("character 1 is not 0-9 or a-f", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueOfTheWrongLengthIsRejectedNamingTheEntryWithoutRepeatingTheValue()
    {
        // A raw token pasted instead of its hash: the message must not print it back.
        var (tokens, errors) = Load("""{"ops-alice":"my-secret-token"}""");

        Assert.Null(tokens);
        var error = Single(errors);
        Assert.StartsWith("entry \"ops-alice\":", error, StringComparison.Ordinal);
        Assert.Contains("got 15 characters", error, StringComparison.Ordinal);
        Assert.DoesNotContain("my-secret-token", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonStringValueIsRejectedNamingTheEntry()
    {
        var (tokens, errors) = Load("""{"robot-7":1234}""");

        Assert.Null(tokens);
        var error = Single(errors);
        Assert.StartsWith("entry \"robot-7\": must be a string", error, StringComparison.Ordinal);
        Assert.Contains("got a number", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyNameIsRejected()
    {
        var (tokens, errors) = Load($$"""{"":"{{TokensFile.Hash("x")}}"}""");

        Assert.Null(tokens);
        Assert.Contains("empty name", Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void ANameGivenTwiceIsRejected()
    {
        var (tokens, errors) = Load($$"""{"r1":"{{TokensFile.Hash("a")}}","r1":"{{TokensFile.Hash("b")}}"}""");

        Assert.Null(tokens);
        Assert.Equal("entry \"r1\": appears more than once.", Single(errors));
    }

    [Fact]
    public void EveryBadEntryIsReportedAndNoneOfTheFileIsTaken()
    {
        var (tokens, errors) = Load($$"""{"good":"{{TokensFile.Hash("g")}}","short":"abc","number":7}""");

        Assert.Null(tokens);
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("entry \"short\":", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("entry \"number\":", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingFileIsReported()
    {
        var errors = new List<string>();

        Assert.Null(TokenFile.Load(_directory.Combine("absent.json"), errors));
        Assert.Equal("does not exist.", Single(errors));
    }
}
