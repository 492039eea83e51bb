using System.Text;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests;

public sealed class JsonUnescaperTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("say \\\"hi\\\" \\\\ \\/", "say \"hi\" \\ /")]
    [InlineData("tab\\there\\nnext\\r", "tab here next ")]
    [InlineData("caf\\u00e9 \\u20ac", "café €")]
    [InlineData("emoji \\ud83d\\ude00!", "emoji 😀!")]
    [InlineData("lone \\ud83d surrogate", "lone \uFFFD surrogate")]
    [InlineData("bad \\u12 escape", "bad u12 escape")]
    [InlineData("trailing \\", "trailing \\")]
    public void UndoesJsonStringEscapes(string escaped, string expected)
    {
        var buffer = new byte[4];

        var text = JsonUnescaper.Unescape(Encoding.UTF8.GetBytes(escaped), ref buffer);

        Assert.Equal(expected, Encoding.UTF8.GetString(text));
    }

    [Fact]
    public void ReturnsTheInputItselfWhenThereIsNothingToUndo()
    {
        var input = "no escapes here"u8.ToArray();
        var buffer = Array.Empty<byte>();

        var text = JsonUnescaper.Unescape(input, ref buffer);

        Assert.True(text.Overlaps(input));
        Assert.Empty(buffer);
    }
}
