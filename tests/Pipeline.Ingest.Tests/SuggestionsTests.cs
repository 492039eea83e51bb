using Pipeline.Ingest.Cli;

namespace Pipeline.Ingest.Tests;

public sealed class SuggestionsTests
{
    private static readonly string[] Verbs = ["run", "validate", "patterns", "logs", "stats", "errors", "sql", "alerts", "robots", "auth"];

    [Theory]
    [InlineData("stat", "stats")]
    [InlineData("vaildate", "validate")]
    [InlineData("robot", "robots")]
    [InlineData("ERRORS", "errors")]
    [InlineData("rob", "robots")]
    public void AMistypedWordGetsTheClosestCandidate(string typed, string expected) =>
        Assert.Equal([expected], Suggestions.Closest(typed, Verbs));

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("x")]
    public void AWordFarFromEveryCandidateGetsNone(string typed) =>
        Assert.Empty(Suggestions.Closest(typed, Verbs));

    [Fact]
    public void AnOptionIsComparedWithItsDashes() =>
        Assert.Equal(" Did you mean '--config'?", Suggestions.DidYouMean("--confg", ["--config", "--help"]));

    [Fact]
    public void ASwapOfTwoLettersCountsAsOneEdit() =>
        Assert.Equal(1, Suggestions.Distance("sl", "ls"));
}
