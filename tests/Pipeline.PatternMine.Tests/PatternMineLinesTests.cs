using System.Text;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.PatternMine.Tests;

public sealed class PatternMineLinesTests
{
    private const string Input =
        "session opened for user=alice by (uid=0)\n" +
        "Received block blk_1 of size 67108864 from /10.251.42.84\n" +
        "session opened for user=bob by (uid=0)\n";

    [Fact]
    public async Task StreamingPrintsTheTemplateEachMessageGotWhenItArrived()
    {
        var lines = await MineAsync(Input, final: false);

        Assert.Equal(3, lines.Length);
        Assert.Equal("session opened for user=alice by (uid=<*>)", Template(lines[0]));
        Assert.Equal("Received block <*> of size <*> from <*>", Template(lines[1]));
        Assert.Equal("session opened for user=<*> by (uid=<*>)", Template(lines[2]));
        Assert.Equal(Id(lines[0]), Id(lines[2]));
        Assert.NotEqual(Id(lines[0]), Id(lines[1]));
    }

    [Fact]
    public async Task FinalPrintsTheTemplateEachMessageEndsIn()
    {
        var lines = await MineAsync(Input, final: true);

        Assert.Equal(3, lines.Length);
        Assert.Equal("session opened for user=<*> by (uid=<*>)", Template(lines[0]));
        Assert.Equal("session opened for user=<*> by (uid=<*>)", Template(lines[2]));
        Assert.Equal(Id(lines[0]), Id(lines[2]));
    }

    [Fact]
    public async Task FinalPrintsTheTemplateThatMergedTemplatesEndIn()
    {
        var options = new PatternMineOptions { WordVariantsBeforeVariable = 2 };

        var lines = await MineAsync("robot alice connected\nrobot bob connected\n", final: true, options);

        Assert.Equal("robot <*> connected", Template(lines[0]));
        Assert.Equal(lines[0], lines[1]);
    }

    [Fact]
    public async Task IdsAreSixteenHexDigitsFollowedByATab()
    {
        var lines = await MineAsync(Input, final: false);

        Assert.All(lines, line => Assert.Matches("^[0-9a-f]{16}\t", line));
    }

    [Fact]
    public async Task HandlesCrLfEmptyLinesAndALastLineWithoutNewline()
    {
        var lines = await MineAsync("first line 1\r\n\r\nfirst line 2", final: false);

        Assert.Equal(3, lines.Length);
        Assert.Equal("first line <*>", Template(lines[0]));
        Assert.Equal(string.Empty, Template(lines[1]));
        Assert.Equal("first line <*>", Template(lines[2]));
    }

    [Fact]
    public async Task ALineLongerThanTheLimitIsStillOneMessage()
    {
        var options = new PatternMineOptions { MaxMessageBytes = 1024 };
        var longLine = "blob " + string.Join(' ', Enumerable.Repeat("data", 100_000));

        var lines = await MineAsync(longLine + "\nafter it\n", final: false, options);

        Assert.Equal(2, lines.Length);
        Assert.StartsWith("blob data data", Template(lines[0]), StringComparison.Ordinal);
        Assert.EndsWith("<*>", Template(lines[0]), StringComparison.Ordinal);
        Assert.Equal("after it", Template(lines[1]));
    }

    [Fact]
    public async Task CountsTheMessages()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(Input));
        using var output = new MemoryStream();

        var messages = await PatternMineLines.MineAsync(input, output, final: true);

        Assert.Equal(3, messages);
    }

    private static async Task<string[]> MineAsync(string input, bool final, PatternMineOptions? options = null)
    {
        using var source = new MemoryStream(Encoding.UTF8.GetBytes(input));
        using var sink = new MemoryStream();
        await PatternMineLines.MineAsync(source, sink, final, options);
        var text = Encoding.UTF8.GetString(sink.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    private static string Id(string line) => line[..line.IndexOf('\t', StringComparison.Ordinal)];

    private static string Template(string line) => line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..];
}
