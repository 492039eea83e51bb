using System.Text;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests;

public sealed class TokenMatcherTests
{
    [Theory]
    [InlineData("user=root", "user=news", "user=<*>")]
    [InlineData("()", "(<*>)", "(<*>)")]
    [InlineData("(uid=<*>)", "LOGIN(uid=<*>)", "<*>(uid=<*>)")]
    [InlineData("org.apache.hadoop.mapreduce.jobhistory.EventType", "org.apache.hadoop.mapreduce.v2.app.JobFinishEvent$Type", "org.apache.hadoop.mapreduce.<*>")]
    [InlineData("storage131", "storage1312", "<*>")]
    [InlineData("node-<*>", "node-D3", "node-<*>")]
    [InlineData("cyrus", "news", "<*>")]
    public void GeneraliseKeepsTheCommonPrefixAndSuffixCutAtPunctuation(string a, string b, string expected)
    {
        var token = TokenMatcher.Generalise(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

        Assert.Equal(expected, Encoding.UTF8.GetString(token.Text));
        Assert.True(token.Generalised);
        Assert.True(TokenMatcher.Covers(token.Text, Encoding.UTF8.GetBytes(a)));
        Assert.True(TokenMatcher.Covers(token.Text, Encoding.UTF8.GetBytes(b)));
    }

    [Theory]
    [InlineData("user=<*>", "user=guest", true)]
    [InlineData("(<*>)", "()", true)]
    [InlineData("<*>:Got", "<*>:Got", true)]
    [InlineData("a<*>b<*>c", "a--b==c", true)]
    [InlineData("a<*>b<*>c", "a--c==b", false)]
    [InlineData("node-<*>", "host-1", false)]
    public void CoversMatchesEachWildcardToAnyBytes(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, TokenMatcher.Covers(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void TwoDifferentWordsConflict()
    {
        Assert.Equal(TokenMatcher.Conflict, Score(Literal("Started"), "Stopped"));
        Assert.Equal(TokenMatcher.Conflict, Score(Literal("(reserved)"), "(usable)"));
    }

    [Fact]
    public void ValuesOfTheSameKeyAreHalfAlike()
    {
        Assert.Equal(0.5, Score(Literal("user=root"), "user=guest"));
    }

    [Fact]
    public void AWordIsNotAValueOfAKeyWhoseOtherValueIsMasked()
    {
        // tty=NODEVssh and tty=:0 are different events, not two values of tty.
        Assert.Equal(TokenMatcher.Conflict, Score(Literal("tty=NODEVssh"), "tty=<*>"));
    }

    [Fact]
    public void AMaskedValueCoversOnlyValues()
    {
        var masked = Literal("<*>");

        Assert.Equal(1, Score(masked, "<*>"));
        Assert.Equal(TokenMatcher.Conflict, Score(masked, "****"));
        Assert.Equal(TokenMatcher.Conflict, Score(masked, "host"));
    }

    [Fact]
    public void AGeneralisedVariableCoversAnything()
    {
        var generalised = TokenMatcher.Generalise("cyrus"u8, "news"u8);

        Assert.Equal(1, Score(generalised, "test"));
        Assert.Equal(1, Score(generalised, "<*>"));
    }

    private static TemplateToken Literal(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var shape = MessageTokenizer.ShapeOf(bytes, out var wordy);
        return new TemplateToken(bytes, StableHash.Hash(bytes), shape, wordy, generalised: false);
    }

    private static double Score(TemplateToken template, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        MessageTokenizer.ShapeOf(bytes, out var wordy);
        return TokenMatcher.Score(template, bytes, StableHash.Hash(bytes), wordy, out _);
    }
}
