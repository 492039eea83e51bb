using System.Text;
using Pipeline.Ingest.Tail;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary>The literal the tail searches for before running a viewer's regex: only text every match contains.</summary>
public sealed class RegexLiteralTests
{
    [Theory]
    [InlineData("Battery level 1[0-9] ", "Battery level 1")]
    [InlineData("^motor stalled", "motor stalled")]
    [InlineData("timeout\\d+", "timeout")]
    [InlineData("errors?", "error")]
    [InlineData("retry*", "retr")]
    [InlineData("go{2}d", "g")]
    [InlineData("abc+", "abc")]
    public void TheLeadingTextEveryMatchContainsIsRequired(string pattern, string expected)
    {
        var literal = RegexLiteral.Required(pattern);
        if (expected.Length < 3)
        {
            Assert.Null(literal);
        }
        else
        {
            Assert.Equal(expected, Encoding.UTF8.GetString(literal!));
        }
    }

    [Theory]
    [InlineData("timeout|refused")]
    [InlineData("(?i)timeout")]
    [InlineData("[a-z]+ failed")]
    [InlineData(".*x")]
    [InlineData("ab")]
    public void APatternThatCanMatchWithoutALeadingLiteralHasNone(string pattern) => Assert.Null(RegexLiteral.Required(pattern));
}
