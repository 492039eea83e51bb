using System.Text;
using System.Text.Json;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Parse;

public sealed partial class ParseBlockTests
{
    private static readonly long Ts = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly EventBatchPool _pool = SmallPool();
    private readonly PipelineMetrics _metrics = new();
    private readonly RecordingDeadLetterSink _deadLetters = new();

    private EventBatch Parse(params string[] lines) => Parse(new ParseOptions(), lines);

    private EventBatch Parse(ParseOptions options, params string[] lines)
    {
        var batch = WithLines(_pool, lines);
        new ParseBlock(options, _metrics, _deadLetters).Process(batch);
        return batch;
    }

    private EventBatch ParseBytes(params byte[][] lines)
    {
        var batch = WithLines(_pool, lines);
        new ParseBlock(new ParseOptions(), _metrics, _deadLetters).Process(batch);
        return batch;
    }

    private double Discarded(string reason) => _metrics.ComponentDiscarded.WithLabels("parse", reason).Value;

    private static EventRecord Single(EventBatch batch)
    {
        Assert.Equal(1, batch.Count);
        return batch.Events[0];
    }

    private static JsonElement Attributes(EventBatch batch, EventRecord e)
    {
        Assert.False(e.Attributes.IsEmpty, "the event has no attributes");
        return JsonDocument.Parse(batch[e.Attributes].ToArray()).RootElement;
    }

    private void AssertDiscardedAndDeadLettered(EventBatch batch, string reason, byte[] line)
    {
        Assert.Equal(0, batch.Count);
        Assert.Equal(1, Discarded(reason));
        var letter = Assert.Single(_deadLetters.Records);
        Assert.Equal("parse", letter.Component);
        Assert.Equal(reason, letter.Reason);
        Assert.Equal(line, letter.Input);
        Assert.Same(batch.Source, letter.Source);
    }

    [Fact]
    public void ParseReadsRfc3339Timestamp()
    {
        var batch = Parse("""{"ts":"2026-03-04T05:06:07.123Z","msg":"m"}""");

        var e = Single(batch);
        Assert.Equal(Ts, e.Timestamp);
        Assert.True(e.Attributes.IsEmpty);
    }

    [Fact]
    public void ParseReadsRfc3339TimestampWithOffset()
    {
        var batch = Parse("""{"ts":"2026-03-04T07:06:07.123+02:00"}""");

        Assert.Equal(Ts, Single(batch).Timestamp);
    }

    [Fact]
    public void ParseReadsEpochMillisecondsTimestamp()
    {
        var batch = Parse($$"""{"ts":{{Ts}}}""");

        Assert.Equal(Ts, Single(batch).Timestamp);
    }

    [Fact]
    public void ParseReadsSmallNumericTimestampAsEpochSeconds()
    {
        var batch = Parse($$"""{"ts":{{Ts / 1000}}}""", $$"""{"ts":{{Ts / 1000}}.5}""");

        Assert.Equal(Ts / 1000 * 1000, batch.Events[0].Timestamp);
        Assert.Equal(Ts / 1000 * 1000 + 500, batch.Events[1].Timestamp);
    }

    [Fact]
    public void ParseUsesReceiveTimeWhenTimestampIsMissing()
    {
        var batch = WithLines(_pool, """{"msg":"no time"}""");
        batch.ReceivedAt = 1_234_567_890_123;
        new ParseBlock(new ParseOptions(), _metrics, _deadLetters).Process(batch);

        Assert.Equal(1_234_567_890_123, Single(batch).Timestamp);
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("\"2026-02-30T00:00:00Z\"")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("1e20")]
    [InlineData("true")]
    [InlineData("{\"s\":1}")]
    [InlineData("[1,2]")]
    public void ParseKeepsUnreadableTimestampAsAttributeAndUsesReceiveTime(string ts)
    {
        var batch = Parse($$"""{"ts":{{ts}},"msg":"m"}""");

        var e = Single(batch);
        Assert.Equal(batch.ReceivedAt, e.Timestamp);
        Assert.Equal($$"""{"ts":{{ts}}}""", Text(batch, e.Attributes));
    }

    [Theory]
    [InlineData("DEBUG", EventLevel.Debug)]
    [InlineData("info", EventLevel.Info)]
    [InlineData("Warning", EventLevel.Warning)]
    [InlineData("WARN", EventLevel.Warning)]
    [InlineData("error", EventLevel.Error)]
    [InlineData("ERR", EventLevel.Error)]
    [InlineData("critical", EventLevel.Critical)]
    [InlineData("FATAL", EventLevel.Critical)]
    [InlineData("trace", EventLevel.Debug)]
    public void ParseReadsLevelNames(string name, EventLevel expected)
    {
        var batch = Parse($$"""{"level":"{{name}}"}""");

        var e = Single(batch);
        Assert.Equal(expected, e.Level);
        Assert.Equal(-1, e.LevelCode);
        Assert.True(e.Attributes.IsEmpty);
    }

    [Theory]
    [InlineData(NumericLevelScheme.Mq, 0, EventLevel.Debug)]
    [InlineData(NumericLevelScheme.Mq, 1, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Mq, 3, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, 9, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, 11, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Mq, 91, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, 99, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Syslog, 0, EventLevel.Critical)]
    [InlineData(NumericLevelScheme.Syslog, 1, EventLevel.Critical)]
    [InlineData(NumericLevelScheme.Syslog, 4, EventLevel.Warning)]
    [InlineData(NumericLevelScheme.Syslog, 7, EventLevel.Debug)]
    [InlineData(NumericLevelScheme.Syslog, 91, EventLevel.Error)]
    public void ParseReadsNumericLevels(NumericLevelScheme scheme, int code, EventLevel expected)
    {
        var batch = Parse(new ParseOptions { NumericLevels = scheme }, $$"""{"level":{{code}}}""");

        var e = Single(batch);
        Assert.Equal(expected, e.Level);
        Assert.Equal(code, e.LevelCode);
        Assert.True(e.Attributes.IsEmpty);
    }

    [Theory]
    [InlineData(NumericLevelScheme.Mq, "0", EventLevel.Debug)]
    [InlineData(NumericLevelScheme.Mq, "9", EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, "91", EventLevel.Error)]
    [InlineData(NumericLevelScheme.Syslog, "0", EventLevel.Critical)]
    [InlineData(NumericLevelScheme.Syslog, "3", EventLevel.Error)]
    public void ParseReadsNumericLevelsSentAsStrings(NumericLevelScheme scheme, string code, EventLevel expected)
    {
        var batch = Parse(new ParseOptions { NumericLevels = scheme }, $$"""{"level":"{{code}}"}""");

        var e = Single(batch);
        Assert.Equal(expected, e.Level);
        Assert.Equal(short.Parse(code, System.Globalization.CultureInfo.InvariantCulture), e.LevelCode);
    }

    [Theory]
    [InlineData("\"loud\"")]
    [InlineData("\"\"")]
    [InlineData("\"9x\"")]
    [InlineData("8")]
    [InlineData("100")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("{\"n\":3}")]
    public void ParseKeepsUnknownLevelInAttributesAsInfo(string level)
    {
        var batch = Parse($$"""{"level":{{level}},"msg":"m"}""");

        var e = Single(batch);
        Assert.Equal(EventLevel.Info, e.Level);
        Assert.Equal(-1, e.LevelCode);
        Assert.Equal($$"""{"level":{{level}}}""", Text(batch, e.Attributes));
    }

    [Fact]
    public void ParseReadsKnownStringFields()
    {
        var batch = Parse("""{"robot_id":"r-17","type":"nav","msg":"stuck at dock","trace_id":"t1","span_id":"s1","hash":"h1"}""");

        var e = Single(batch);
        Assert.Equal("r-17", Text(batch, e.RobotId));
        Assert.Equal("nav", Text(batch, e.Type));
        Assert.Equal("stuck at dock", Text(batch, e.Msg));
        Assert.Equal("t1", Text(batch, e.TraceId));
        Assert.Equal("s1", Text(batch, e.SpanId));
        Assert.Equal("h1", Text(batch, e.Hash));
        Assert.Equal(EventLevel.Info, e.Level);
        Assert.Equal(0, e.Line);
        Assert.True(e.Attributes.IsEmpty);
    }

    [Fact]
    public void ParseKeepsStringFieldsJsonEscaped()
    {
        var batch = Parse("""{"msg":"say \"hi\"\n\u00e9\\"}""");

        Assert.Equal("""say \"hi\"\n\u00e9\\""", Text(batch, Single(batch).Msg));
    }

    [Fact]
    public void ParseReadsNumericAndBooleanKnownFieldsAsText()
    {
        var batch = Parse("""{"robot_id":42,"msg":true,"hash":-7.5}""");

        var e = Single(batch);
        Assert.Equal("42", Text(batch, e.RobotId));
        Assert.Equal("true", Text(batch, e.Msg));
        Assert.Equal("-7.5", Text(batch, e.Hash));
    }

    [Fact]
    public void ParseDropsNullKnownFields()
    {
        var batch = Parse("""{"robot_id":null,"msg":"m"}""");

        var e = Single(batch);
        Assert.True(e.RobotId.IsEmpty);
        Assert.True(e.Attributes.IsEmpty);
    }

    [Fact]
    public void ParseKeepsEveryOtherFieldInAttributes()
    {
        const string nested = """{"k":[1,{"z":null,"deep":{"x":"y"}}],"e":"a\"b"}""";
        var batch = Parse($$"""{"msg":"m","battery":87,"mode":"auto","nested":{{nested}},"arr":[1, 2 ,3],"ok":true,"none":null,"robot_id":"r1"}""");

        var e = Single(batch);
        var attributes = Attributes(batch, e);
        Assert.Equal(["battery", "mode", "nested", "arr", "ok", "none"], attributes.EnumerateObject().Select(p => p.Name));
        Assert.Equal(87, attributes.GetProperty("battery").GetInt32());
        Assert.Equal("auto", attributes.GetProperty("mode").GetString());
        Assert.Equal(nested, attributes.GetProperty("nested").GetRawText());
        Assert.Equal("[1, 2 ,3]", attributes.GetProperty("arr").GetRawText());
        Assert.True(attributes.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, attributes.GetProperty("none").ValueKind);
        Assert.Equal("r1", Text(batch, e.RobotId));
        Assert.Equal("m", Text(batch, e.Msg));
    }

    [Fact]
    public void ParseKeepsObjectUnderKnownNameAsAttribute()
    {
        var batch = Parse("""{"msg":{"text":"x"},"type":["a"]}""");

        var e = Single(batch);
        Assert.True(e.Msg.IsEmpty);
        Assert.True(e.Type.IsEmpty);
        Assert.Equal("""{"msg":{"text":"x"},"type":["a"]}""", Text(batch, e.Attributes));
    }

    [Fact]
    public void ParseKeepsFieldWithEscapedKnownNameAsAttribute()
    {
        var batch = Parse("""{"ms\u0067":"hidden"}""");

        var e = Single(batch);
        Assert.True(e.Msg.IsEmpty);
        Assert.Equal("hidden", Attributes(batch, e).GetProperty("msg").GetString());
    }

    [Fact]
    public void ParseAcceptsWhitespaceAroundTheObject()
    {
        var batch = Parse(" \t{ \"msg\" : \"m\" , \"a\" : 1 }  \r");

        var e = Single(batch);
        Assert.Equal("m", Text(batch, e.Msg));
        Assert.Equal(1, Attributes(batch, e).GetProperty("a").GetInt32());
    }

    [Fact]
    public void ParseDiscardsMalformedJson()
    {
        const string line = """{"robot_id":"r1","msg":""";
        var batch = Parse(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.MalformedJson, Encoding.UTF8.GetBytes(line));
    }

    [Theory]
    [InlineData("""{msg:"unquoted key"}""")]
    [InlineData("""{"msg":'single quotes'}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a":tru}""")]
    [InlineData("""{"a":"unterminated}""")]
    [InlineData("""{"a":[1,2}""")]
    [InlineData("{")]
    public void ParseDiscardsMalformedJsonVariants(string line)
    {
        var batch = Parse(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.MalformedJson, Encoding.UTF8.GetBytes(line));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("<html>")]
    public void ParseCountsTextThatIsNotJsonAsMalformedJson(string line)
    {
        // "not_an_object" is for JSON values that are not objects; text that is not JSON at all is malformed.
        var batch = Parse(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.MalformedJson, Encoding.UTF8.GetBytes(line));
    }

    [Fact]
    public void ParseDiscardsJsonArray()
    {
        var batch = Parse("""[{"msg":"in an array"}]""");

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.NotAnObject, """[{"msg":"in an array"}]"""u8.ToArray());
    }

    [Fact]
    public void ParseDiscardsJsonNumber()
    {
        var batch = Parse("42");

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.NotAnObject, "42"u8.ToArray());
    }

    [Fact]
    public void ParseDiscardsJsonString()
    {
        var batch = Parse("\"just a string\"");

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.NotAnObject, "\"just a string\""u8.ToArray());
    }

    [Fact]
    public void ParseDiscardsJsonLiteral()
    {
        var batch = Parse("null");

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.NotAnObject, "null"u8.ToArray());
    }

    [Fact]
    public void ParseDiscardsInvalidUtf8()
    {
        // 0xC3 0x28: a lead byte followed by a byte that cannot continue it.
        byte[] line = [.. """{"msg":"caf"""u8, 0xC3, 0x28, .. "\"}"u8];
        var batch = ParseBytes(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.InvalidUtf8, line);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong "/"
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // UTF-16 surrogate encoded in UTF-8
    [InlineData(new byte[] { 0xE2, 0x82 })] // truncated sequence
    public void ParseDiscardsInvalidUtf8InAttributes(byte[] bad)
    {
        byte[] line = [.. """{"msg":"ok","note":"""u8, (byte)'"', .. bad, (byte)'"', (byte)'}'];
        var batch = ParseBytes(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.InvalidUtf8, line);
    }

    [Fact]
    public void ParseCountsInvalidUtf8BeforeTheFirstBraceAsInvalidUtf8()
    {
        // A robot sending UTF-16 with a byte-order mark: the line is not UTF-8 at all.
        byte[] line = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{\"msg\":\"x\"}")];
        var batch = ParseBytes(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.InvalidUtf8, line);
    }

    [Fact]
    public void ParseCountsEmptyLinesWithoutDeadLettering()
    {
        var batch = Parse("", "   ", "\t\r");

        Assert.Equal(0, batch.Count);
        Assert.Equal(3, Discarded(DiscardReasons.EmptyLine));
        Assert.Empty(_deadLetters.Records);
    }

    [Theory]
    [InlineData("""{"msg":"a"} trailing""")]
    [InlineData("""{"msg":"a"}{"msg":"b"}""")]
    [InlineData("""{"msg":"a"}}""")]
    [InlineData("""{"msg":"a"},""")]
    [InlineData("""{"msg":"a"} 1""")]
    public void ParseDiscardsTrailingGarbageAfterTheObject(string line)
    {
        var batch = Parse(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.MalformedJson, Encoding.UTF8.GetBytes(line));
    }

    [Fact]
    public void ParseDiscardsTooDeepNesting()
    {
        var line = """{"msg":"deep","a":""" + new string('[', 100) + new string(']', 100) + "}";
        var batch = Parse(line);

        AssertDiscardedAndDeadLettered(batch, DiscardReasons.MalformedJson, Encoding.UTF8.GetBytes(line));
    }

    [Fact]
    public void ParseHonoursConfiguredMaxDepth()
    {
        var options = new ParseOptions { MaxDepth = 3 };
        const string depth3 = """{"a":{"b":{"c":1}}}""";
        const string depth4 = """{"a":{"b":{"c":[1]}}}""";

        var batch = Parse(options, depth3, depth4);

        var e = Single(batch);
        Assert.Equal("""{"a":{"b":{"c":1}}}""", Text(batch, e.Attributes));
        Assert.Equal(1, Discarded(DiscardReasons.MalformedJson));
        Assert.Equal(depth4, Encoding.UTF8.GetString(Assert.Single(_deadLetters.Records).Input));
    }

    [Fact]
    public void ParseKeepsGoodLinesAroundBadOnes()
    {
        byte[] invalidUtf8 = [.. """{"msg":"""u8, (byte)'"', 0xFF, (byte)'"', (byte)'}'];
        var batch = ParseBytes(
            """{"msg":"first","a":1}"""u8.ToArray(),
            """{"msg":"""u8.ToArray(),
            """{"msg":"second","b":[1,2]}"""u8.ToArray(),
            ""u8.ToArray(),
            "[1]"u8.ToArray(),
            invalidUtf8,
            """{"msg":"third"} x"""u8.ToArray(),
            """{"msg":"fourth","c":{"d":"e"}}"""u8.ToArray());

        Assert.Equal(3, batch.Count);
        Assert.Equal(["first", "second", "fourth"], [Text(batch, batch.Events[0].Msg), Text(batch, batch.Events[1].Msg), Text(batch, batch.Events[2].Msg)]);
        Assert.Equal([0, 2, 7], [batch.Events[0].Line, batch.Events[1].Line, batch.Events[2].Line]);
        Assert.Equal("""{"a":1}""", Text(batch, batch.Events[0].Attributes));
        Assert.Equal("""{"b":[1,2]}""", Text(batch, batch.Events[1].Attributes));
        Assert.Equal("""{"c":{"d":"e"}}""", Text(batch, batch.Events[2].Attributes));
        Assert.Equal(2, Discarded(DiscardReasons.MalformedJson));
        Assert.Equal(1, Discarded(DiscardReasons.NotAnObject));
        Assert.Equal(1, Discarded(DiscardReasons.InvalidUtf8));
        Assert.Equal(1, Discarded(DiscardReasons.EmptyLine));
        Assert.Equal(4, _deadLetters.Records.Count);
        Assert.Equal(8, _metrics.ComponentEvents.WithLabels("parse", "in").Value);
        Assert.Equal(3, _metrics.ComponentEvents.WithLabels("parse", "out").Value);
    }

    [Fact]
    public void ParseKeepsSlicesValidWhenTheBufferGrows()
    {
        // A 64-byte initial buffer: every line's attributes force the buffer to move.
        var lines = Enumerable.Range(0, 200)
            .Select(i => $$"""{"robot_id":"r{{i}}","msg":"event {{i}}","seq":{{i}},"pad":"{{new string('x', i % 50)}}"}""")
            .ToArray();

        var batch = Parse(lines);

        Assert.Equal(200, batch.Count);
        for (var i = 0; i < 200; i++)
        {
            var e = batch.Events[i];
            Assert.Equal($"r{i}", Text(batch, e.RobotId));
            Assert.Equal($"event {i}", Text(batch, e.Msg));
            Assert.Equal(i, Attributes(batch, e).GetProperty("seq").GetInt32());
            Assert.Equal(lines[i], Encoding.UTF8.GetString(batch.GetLine(i)));
        }
    }
}
