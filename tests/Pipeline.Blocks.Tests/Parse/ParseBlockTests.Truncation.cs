using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.Parse;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Parse;

/// <summary><see cref="ParseOptions.MaxStringChars"/>: N = 16, the smallest the settings allow.</summary>
public sealed partial class ParseBlockTests
{
    private const int Max = 16;
    private const string Suffix = "…(truncated)";

    private static readonly ParseOptions Truncating = new() { MaxStringChars = Max };

    private double TruncatedValues => _metrics.TruncatedValues.Value;
    private double TruncatedEvents => _metrics.TruncatedEvents.Value;

    /// <summary>The event as the files get it, parsed back with System.Text.Json.</summary>
    private static JsonElement Written(EventBatch batch, EventRecord e)
    {
        var output = new ArrayBufferWriter<byte>();
        new EventJsonWriter().Write(batch, ref e, output);
        return JsonDocument.Parse(output.WrittenMemory).RootElement;
    }

    private static string Unescaped(string escaped) => JsonDocument.Parse($"\"{escaped}\"").RootElement.GetString()!;

    private static string Long(char c) => new(c, Max + 4);

    private static string Cut(char c) => new string(c, Max) + Suffix;

    [Theory]
    [InlineData("0123456789abcdefXYZ", "0123456789abcdef")] // ASCII
    [InlineData("0123456789abcdeéxyz", "0123456789abcdeé")] // 2-byte UTF-8 as the last kept character
    [InlineData("0123456789abcdefé", "0123456789abcdef")] // …and as the first cut one
    [InlineData("0123456789abcde€xyz", "0123456789abcde€")] // 3-byte
    [InlineData("0123456789abcdef€", "0123456789abcdef")]
    [InlineData("0123456789abcde😀xyz", "0123456789abcde😀")] // 4-byte (a surrogate pair in UTF-16)
    [InlineData("0123456789abcdef😀", "0123456789abcdef")]
    [InlineData("0123456789abcde\\\"xyz", "0123456789abcde\\\"")] // \"
    [InlineData("0123456789abcdef\\\"", "0123456789abcdef")]
    [InlineData("0123456789abcde\\\\xyz", "0123456789abcde\\\\")] // \\
    [InlineData("0123456789abcdef\\\\", "0123456789abcdef")]
    [InlineData("0123456789abcde\\nxyz", "0123456789abcde\\n")] // \n
    [InlineData("0123456789abcdef\\n", "0123456789abcdef")]
    [InlineData("0123456789abcde\\u00e9xyz", "0123456789abcde\\u00e9")] // \u00e9
    [InlineData("0123456789abcdef\\u00e9", "0123456789abcdef")]
    [InlineData("0123456789abcde\\ud83d\\ude00xyz", "0123456789abcde\\ud83d\\ude00")] // surrogate-pair escape
    [InlineData("0123456789abcdef\\ud83d\\ude00", "0123456789abcdef")]
    [InlineData("\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n", "\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n")]
    [InlineData("é€😀\\n\\u00e9\\ud83d\\ude00\\\"\\\\é€😀\\n\\u00e9\\ud83d\\ude00\\\"\\\\x", "é€😀\\n\\u00e9\\ud83d\\ude00\\\"\\\\é€😀\\n\\u00e9\\ud83d\\ude00\\\"\\\\")]
    public void TruncationCutsMsgAfterMaxCharactersWithoutSplittingAnyCharacter(string escaped, string kept)
    {
        var batch = Parse(Truncating, $$$"""{"msg":"{{{escaped}}}"}""");

        var e = Single(batch);
        Assert.Equal(kept + Suffix, Text(batch, e.Msg));
        var msg = Written(batch, e).GetProperty("msg").GetString()!;
        Assert.Equal(Unescaped(kept) + Suffix, msg);
        Assert.Equal(Max, Unescaped(kept).EnumerateRunes().Count());
        Assert.Equal(1, TruncatedValues);
        Assert.Equal(1, TruncatedEvents);
    }

    [Theory]
    [InlineData("0123456789abcdef")]
    [InlineData("éééééééééééééééé")]
    [InlineData("€€€€€€€€€€€€€€€€")]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀")]
    [InlineData("\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9")]
    [InlineData("\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00")]
    public void TruncationKeepsValueOfExactlyMaxCharactersWhole(string escaped)
    {
        var batch = Parse(Truncating, $$$"""{"msg":"{{{escaped}}}","note":"{{{escaped}}}"}""");

        var e = Single(batch);
        Assert.Equal(escaped, Text(batch, e.Msg));
        Assert.Equal($$$"""{"note":"{{{escaped}}}"}""", Text(batch, e.Attributes));
        Assert.Equal(0, TruncatedValues);
        Assert.Equal(0, TruncatedEvents);
    }

    [Theory]
    [InlineData("0123456789abcdefg", "0123456789abcdef")]
    [InlineData("ééééééééééééééééé", "éééééééééééééééé")]
    [InlineData("\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9", "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9")]
    public void TruncationCutsValueOfMaxPlusOneCharacters(string escaped, string kept)
    {
        var batch = Parse(Truncating, $$$"""{"msg":"{{{escaped}}}","note":"{{{escaped}}}"}""");

        var e = Single(batch);
        Assert.Equal(kept + Suffix, Text(batch, e.Msg));
        Assert.Equal($$$"""{"note":"{{{kept}}}{{{Suffix}}}"}""", Text(batch, e.Attributes));
        Assert.Equal(2, TruncatedValues);
        Assert.Equal(1, TruncatedEvents);
    }

    [Fact]
    public void TruncationCutsKnownStringFieldsButNotRobotId()
    {
        var line = $$$"""{"robot_id":"{{{Long('r')}}}","type":"{{{Long('t')}}}","msg":"{{{Long('m')}}}","trace_id":"{{{Long('x')}}}","span_id":"{{{Long('s')}}}","hash":"{{{Long('h')}}}"}""";

        var batch = Parse(Truncating, line);

        var e = Single(batch);
        Assert.Equal(Long('r'), Text(batch, e.RobotId));
        Assert.Equal(Cut('t'), Text(batch, e.Type));
        Assert.Equal(Cut('m'), Text(batch, e.Msg));
        Assert.Equal(Cut('x'), Text(batch, e.TraceId));
        Assert.Equal(Cut('s'), Text(batch, e.SpanId));
        Assert.Equal(Cut('h'), Text(batch, e.Hash));
        Assert.True(e.Attributes.IsEmpty);
        Assert.Equal(5, TruncatedValues);
        Assert.Equal(1, TruncatedEvents);
    }

    [Fact]
    public void TruncationCutsNestedAttributeStringsAndKeepsEverythingElseByteForByte()
    {
        var line = $$$"""{"msg":"m", "a" : { "b" : {"c":"{{{Long('c')}}}", "n": 12345678901234567890123}} ,"ok":true,"none":null}""";

        var batch = Parse(Truncating, line);

        var e = Single(batch);
        Assert.Equal($$$"""{"a" : { "b" : {"c":"{{{Cut('c')}}}", "n": 12345678901234567890123}},"ok":true,"none":null}""", Text(batch, e.Attributes));
        var attrs = Written(batch, e).GetProperty("attrs");
        Assert.Equal(Cut('c'), attrs.GetProperty("a").GetProperty("b").GetProperty("c").GetString());
        Assert.Equal(1, TruncatedValues);
    }

    [Fact]
    public void TruncationCutsStringsInArraysAtAnyDepth()
    {
        var line = $$$"""{"list":["{{{Long('a')}}}","short",7,["{{{Long('b')}}}",{"k":["{{{Long('c')}}}"]}]],"after":"{{{Long('d')}}}"}""";

        var batch = Parse(Truncating, line);

        var e = Single(batch);
        Assert.Equal($$$"""{"list":["{{{Cut('a')}}}","short",7,["{{{Cut('b')}}}",{"k":["{{{Cut('c')}}}"]}]],"after":"{{{Cut('d')}}}"}""", Text(batch, e.Attributes));
        Assert.Equal(4, TruncatedValues);
        Assert.Equal(1, TruncatedEvents);
    }

    [Fact]
    public void TruncationLeavesPropertyNamesAndNonStringValuesWhole()
    {
        var name = Long('k');
        var line = $$$"""{"{{{name}}}":1,"obj":{"{{{name}}}":[123456789012345678901234567890,-1.5e300,true,false,null]}}""";

        var batch = Parse(Truncating, line);

        var e = Single(batch);
        Assert.Equal(line, Text(batch, e.Attributes));
        Assert.Equal(0, TruncatedValues);
    }

    [Fact]
    public void TruncationCopiesSmallAndEmptyContainersAsSent()
    {
        // The tail of the line is too short to hold a value over the limit: skipped whole, not walked.
        const string line = """{"a":["x", "y"],"b":{"c":"d"},"e":[],"f":{},"g":[[]]}""";
        Assert.True(line.Length - line.IndexOf('[', StringComparison.Ordinal) > Max + 2, "the first containers are walked");

        var batch = Parse(Truncating, line);

        Assert.Equal(line, Text(batch, Single(batch).Attributes));
        Assert.Equal(0, TruncatedValues);
    }

    [Fact]
    public void TruncationCutsUnreadableTimestampAndLevelKeptAsAttributes()
    {
        var batch = Parse(Truncating, $$$"""{"ts":"{{{Long('t')}}}","level":"{{{Long('l')}}}"}""");

        var e = Single(batch);
        Assert.Equal(batch.ReceivedAt, e.Timestamp);
        Assert.Equal($$$"""{"ts":"{{{Cut('t')}}}","level":"{{{Cut('l')}}}"}""", Text(batch, e.Attributes));
        Assert.Equal(2, TruncatedValues);
    }

    [Fact]
    public void TruncationCutsStringsInsideObjectUnderKnownName()
    {
        var batch = Parse(Truncating, $$$"""{"msg":{"text":"{{{Long('x')}}}"}}""");

        var e = Single(batch);
        Assert.True(e.Msg.IsEmpty);
        Assert.Equal($$$"""{"msg":{"text":"{{{Cut('x')}}}"}}""", Text(batch, e.Attributes));
    }

    [Fact]
    public void TruncationUsesTheLastValueOfARepeatedKnownField()
    {
        var batch = Parse(Truncating, $$$"""{"msg":"{{{Long('a')}}}","msg":"short"}""", $$$"""{"msg":"short","msg":"{{{Long('b')}}}"}""");

        Assert.Equal("short", Text(batch, batch.Events[0].Msg));
        Assert.Equal(Cut('b'), Text(batch, batch.Events[1].Msg));
        Assert.Equal(1, TruncatedValues);
        Assert.Equal(1, TruncatedEvents);
    }

    [Fact]
    public void TruncationIsOffAtZero()
    {
        var line = $$$"""{"msg":"{{{Long('m')}}}","type":"{{{Long('t')}}}","a":{"b":["{{{Long('b')}}}"]}}""";

        var batch = Parse(new ParseOptions { MaxStringChars = 0 }, line);

        var e = Single(batch);
        Assert.Equal(Long('m'), Text(batch, e.Msg));
        Assert.Equal(Long('t'), Text(batch, e.Type));
        Assert.Equal($$$"""{"a":{"b":["{{{Long('b')}}}"]}}""", Text(batch, e.Attributes));
        Assert.Equal(0, TruncatedValues);
        Assert.Equal(0, TruncatedEvents);
    }

    [Fact]
    public void TruncationCountsValuesAndEventsPerBatch()
    {
        var batch = Parse(
            Truncating,
            $$$"""{"msg":"{{{Long('m')}}}","a":"{{{Long('a')}}}","b":["{{{Long('b')}}}"]}""",
            """{"msg":"nothing long"}""",
            $$$"""{"hash":"{{{Long('h')}}}"}""");

        Assert.Equal(3, batch.Count);
        Assert.Equal(4, TruncatedValues);
        Assert.Equal(2, TruncatedEvents);
    }

    [Fact]
    public void TruncationDoesNotCountValuesOfADiscardedLine()
    {
        var line = $$$"""{"msg":"{{{Long('m')}}}","a":["{{{Long('a')}}}"],"b":""";

        var batch = Parse(Truncating, line);

        Assert.Equal(0, batch.Count);
        Assert.Equal(1, Discarded(DiscardReasons.MalformedJson));
        Assert.Equal(0, TruncatedValues);
        Assert.Equal(0, TruncatedEvents);
    }

    [Fact]
    public void TruncationOfManyShortOverLimitValuesFitsTheReservedBuffer()
    {
        // Values of N + 1 characters grow most (by the suffix less one character): the worst case
        // for the space reserved per line, in a pool whose buffers start at 64 bytes.
        var value = new string('v', Max + 1);
        var lines = Enumerable.Range(1, 50)
            .Select(i => "{\"a\":[" + string.Join(',', Enumerable.Repeat($"\"{value}\"", i)) + "],\"msg\":\"" + value + "\"}")
            .ToArray();

        var batch = Parse(Truncating, lines);

        Assert.Equal(50, batch.Count);
        for (var i = 0; i < 50; i++)
        {
            var e = batch.Events[i];
            Assert.Equal(Cut('v'), Text(batch, e.Msg));
            var items = Written(batch, e).GetProperty("attrs").GetProperty("a").EnumerateArray().Select(v => v.GetString()).ToArray();
            Assert.Equal(Enumerable.Repeat(Cut('v'), i + 1), items);
            Assert.Equal(lines[i], Encoding.UTF8.GetString(batch.GetLine(i)));
        }

        Assert.Equal(50 + (50 * 51 / 2), TruncatedValues);
        Assert.Equal(50, TruncatedEvents);
    }

    [Fact]
    public void TruncatedEventLineReparsesWithTheExpectedValues()
    {
        const string tail = "\\\"quoted\\\" \\\\ \\n \\u00e9 \\ud83d\\ude00 é € 😀";
        var line = $$$"""{"robot_id":"r-1","msg":"0123456789abcde{{{tail}}}","attrs_like":{"deep":["0123456789{{{tail}}}"]},"n":1}""";

        var batch = Parse(Truncating, line);

        var root = Written(batch, Single(batch));
        Assert.Equal("r-1", root.GetProperty("robot_id").GetString());
        Assert.Equal("0123456789abcde\"" + Suffix, root.GetProperty("msg").GetString());
        var attrs = root.GetProperty("attrs");
        Assert.Equal("0123456789\"quote" + Suffix, attrs.GetProperty("attrs_like").GetProperty("deep")[0].GetString());
        Assert.Equal(1, attrs.GetProperty("n").GetInt32());
    }
}
