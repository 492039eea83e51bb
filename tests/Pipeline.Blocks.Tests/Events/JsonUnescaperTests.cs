using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Tests.Events;

public sealed class JsonUnescaperTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("say \\\"hi\\\"", "say \"hi\"")]
    [InlineData("a\\\\b\\/c", "a\\b/c")]
    [InlineData("line\\nnext\\ttab\\r\\b\\f", "line\nnext\ttab\r\b\f")]
    [InlineData("caf\\u00e9 \\u20ac", "café €")]
    [InlineData("robot \\ud83e\\udd16", "robot 🤖")]
    [InlineData("already é and 🤖", "already é and 🤖")]
    public void UnescapesJsonStringEscapes(string escaped, string expected)
    {
        Assert.Equal(expected, Unescape(escaped));
    }

    [Fact]
    public void LoneSurrogateBecomesTheReplacementCharacter()
    {
        Assert.Equal("x\uFFFDy", Unescape("x\\ud83ey"));
    }

    [Fact]
    public void MalformedEscapeIsCopiedAsItIs()
    {
        Assert.Equal("bad \\q and \\u12", Unescape("bad \\q and \\u12"));
    }

    [Fact]
    public void OutputIsNeverLongerThanInput()
    {
        var escaped = Encoding.UTF8.GetBytes("\\u00e9\\n\\ud83e\\udd16\\\"");
        var destination = new byte[escaped.Length];

        var length = JsonUnescaper.Unescape(escaped, destination);

        Assert.True(length <= escaped.Length);
        Assert.Equal("é\n🤖\"", Encoding.UTF8.GetString(destination, 0, length));
    }

    private static string Unescape(string escaped)
    {
        var input = Encoding.UTF8.GetBytes(escaped);
        var destination = new byte[input.Length];
        return Encoding.UTF8.GetString(destination, 0, JsonUnescaper.Unescape(input, destination));
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

    [Fact]
    public void GrowsTheBufferWhenItIsTooSmallForTheUnescapedText()
    {
        var buffer = new byte[2];

        var text = JsonUnescaper.Unescape("caf\\u00e9 \\\"ok\\\""u8, ref buffer);

        Assert.Equal("café \"ok\"", Encoding.UTF8.GetString(text));
        Assert.True(buffer.Length >= 12);
    }
}
