using System.Text;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Tests.Parse;

public sealed class JsonStringTruncationTests
{
    private static int CutLength(string escaped, int maxChars) => JsonStringTruncation.CutLength(Encoding.UTF8.GetBytes(escaped), maxChars);

    [Theory]
    [InlineData("", 1)]
    [InlineData("abc", 3)]
    [InlineData("ééé", 3)]
    [InlineData("\\n\\t\\\"", 3)]
    [InlineData("\\ud83d\\ude00😀", 2)]
    public void CutLengthIsMinusOneWhenTheValueHasNoMoreThanMaxCharacters(string escaped, int maxChars)
    {
        Assert.Equal(-1, CutLength(escaped, maxChars));
    }

    [Theory]
    [InlineData("abcd", 3, 3)]
    [InlineData("ab€d", 3, 5)]
    [InlineData("ab😀d", 3, 6)]
    [InlineData("ab\\/d", 3, 4)]
    [InlineData("ab\\u20acd", 3, 8)]
    [InlineData("ab\\ud83d\\ude00d", 3, 14)]
    public void CutLengthCountsEachCharacterOnceInBytes(string escaped, int maxChars, int expected)
    {
        Assert.Equal(expected, CutLength(escaped, maxChars));
    }

    [Fact]
    public void CutLengthCountsALoneSurrogateEscapeAsOneCharacter()
    {
        // The unescaper stores a lone surrogate as U+FFFD: one character, six bytes here.
        Assert.Equal(8, CutLength("ab\\ud800cd", 3));
        Assert.Equal(8, CutLength("ab\\udc00\\ud800", 3));
    }

    [Fact]
    public void SuffixIsAnEllipsisThenTruncatedInParentheses()
    {
        Assert.Equal("\u2026(truncated)", Encoding.UTF8.GetString(JsonStringTruncation.Suffix));
    }
}
