using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Output;

public sealed class EventJsonWriterTests
{
    private static readonly long Ts = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly EventBatchPool _pool = SmallPool();

    private EventBatch NewBatch()
    {
        var batch = _pool.Rent();
        batch.ReceivedAt = Ts + 1_000;
        batch.Source = new SourceConnection("tcp", 7, "10.0.0.9:5555", "node-a");
        return batch;
    }

    private static string WriteOne(EventBatch batch, int index = 0)
    {
        var output = new ArrayBufferWriter<byte>();
        new EventJsonWriter().Write(batch, ref batch.Events[index], output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static JsonElement ParseLine(string line)
    {
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Equal(1, line.Count(c => c == '\n'));
        return JsonDocument.Parse(line).RootElement;
    }

    private static string[] Names(JsonElement root) => [.. root.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void WriteProducesOneJsonLineWithTheExpectedFields()
    {
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "say \\\"hi\\\"\\n", """{"battery":87,"nested":{"a":[1,2]}}""", "r-1");
        e.Timestamp = Ts;
        e.Level = EventLevel.Warning;
        e.Type = batch.Append("nav"u8);
        e.TraceId = batch.Append("t-1"u8);
        e.SpanId = batch.Append("s-1"u8);
        e.Hash = batch.Append("h-1"u8);

        var root = ParseLine(WriteOne(batch));

        Assert.Equal(
            ["ts", "received_at", "level", "robot_id", "type", "msg", "trace_id", "span_id", "hash", "protocol", "conn_id", "remote", "node", "attrs"],
            Names(root));
        Assert.Equal("2026-03-04T05:06:07.123Z", root.GetProperty("ts").GetString());
        Assert.Equal("2026-03-04T05:06:08.123Z", root.GetProperty("received_at").GetString());
        Assert.Equal("WARNING", root.GetProperty("level").GetString());
        Assert.Equal("r-1", root.GetProperty("robot_id").GetString());
        Assert.Equal("nav", root.GetProperty("type").GetString());
        Assert.Equal("say \"hi\"\n", root.GetProperty("msg").GetString());
        Assert.Equal("t-1", root.GetProperty("trace_id").GetString());
        Assert.Equal("s-1", root.GetProperty("span_id").GetString());
        Assert.Equal("h-1", root.GetProperty("hash").GetString());
        Assert.Equal("tcp", root.GetProperty("protocol").GetString());
        Assert.Equal(7, root.GetProperty("conn_id").GetInt64());
        Assert.Equal("10.0.0.9:5555", root.GetProperty("remote").GetString());
        Assert.Equal("node-a", root.GetProperty("node").GetString());
        Assert.Equal("""{"battery":87,"nested":{"a":[1,2]}}""", root.GetProperty("attrs").GetRawText());
    }

    [Fact]
    public void WriteOmitsEmptyOptionalFields()
    {
        var batch = NewBatch();
        AddEvent(batch);

        var root = ParseLine(WriteOne(batch));

        Assert.Equal(["ts", "received_at", "level", "protocol", "conn_id", "remote", "node"], Names(root));
        Assert.Equal("INFO", root.GetProperty("level").GetString());
    }

    [Fact]
    public void WriteIncludesLevelCodeOnlyWhenTheRobotSentANumber()
    {
        var batch = NewBatch();
        ref var numeric = ref AddEvent(batch, "a");
        numeric.Level = EventLevel.Error;
        numeric.LevelCode = 91;
        AddEvent(batch, "b");

        var withCode = ParseLine(WriteOne(batch, 0));
        var withoutCode = ParseLine(WriteOne(batch, 1));

        Assert.Equal("ERROR", withCode.GetProperty("level").GetString());
        Assert.Equal(91, withCode.GetProperty("level_code").GetInt32());
        Assert.False(withoutCode.TryGetProperty("level_code", out _));
    }

    [Fact]
    public void WriteIncludesTemplateIdWhenAssigned()
    {
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "a");
        e.TemplateId = ulong.MaxValue;

        var root = ParseLine(WriteOne(batch));

        Assert.Equal(ulong.MaxValue, root.GetProperty("template_id").GetUInt64());
        Assert.Equal("18446744073709551615", root.GetProperty("template_id_str").GetString());
    }

    [Fact]
    public void ATemplateIdAboveTwoToThe53KeepsItsExactDigitsForParsersThatReadNumbersAsDoubles()
    {
        // 2^53 + 1: the smallest id a double (JavaScript, jq 1.6) cannot hold; it reads the number as 2^53.
        const ulong id = 9_007_199_254_740_993;
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "a");
        e.TemplateId = id;

        var line = WriteOne(batch);
        var root = ParseLine(line);

        Assert.Contains(",\"template_id\":9007199254740993,\"template_id_str\":\"9007199254740993\"", line, StringComparison.Ordinal);
        Assert.NotEqual(id, (ulong)root.GetProperty("template_id").GetDouble());
        Assert.Equal(id, ulong.Parse(root.GetProperty("template_id_str").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(id, root.GetProperty("template_id").GetUInt64());
    }

    [Fact]
    public void WriteIncludesRobotFieldsWhenEnriched()
    {
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "a", robotId: "r1");
        e.Robot = new RobotInfo("r1", "Arm \"One\"", "Zürich", "ur5");

        var root = ParseLine(WriteOne(batch));

        Assert.Equal("Arm \"One\"", root.GetProperty("robot_name").GetString());
        Assert.Equal("Zürich", root.GetProperty("site").GetString());
        Assert.Equal("ur5", root.GetProperty("model").GetString());
    }

    [Fact]
    public void WriteOmitsEmptyRobotFields()
    {
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "a", robotId: "r1");
        e.Robot = new RobotInfo("r1", "Arm", "", "");

        var root = ParseLine(WriteOne(batch));

        Assert.Equal("Arm", root.GetProperty("robot_name").GetString());
        Assert.False(root.TryGetProperty("site", out _));
        Assert.False(root.TryGetProperty("model", out _));
    }

    [Fact]
    public void WriteOmitsRobotFieldsWhenNotEnriched()
    {
        var batch = NewBatch();
        AddEvent(batch, "a", robotId: "r1");

        var root = ParseLine(WriteOne(batch));

        Assert.False(root.TryGetProperty("robot_name", out _));
        Assert.False(root.TryGetProperty("site", out _));
        Assert.False(root.TryGetProperty("model", out _));
    }

    [Fact]
    public void WriteOfSeveralEventsIsNdjson()
    {
        var batch = NewBatch();
        for (var i = 0; i < 50; i++)
        {
            ref var e = ref AddEvent(batch, $"event {i}", $$"""{"i":{{i}}}""");
            e.Timestamp = Ts + i * 3_600_000L; // crosses day boundaries
        }

        var output = new ArrayBufferWriter<byte>(16);
        var writer = new EventJsonWriter();
        for (var i = 0; i < batch.Count; i++)
        {
            writer.Write(batch, ref batch.Events[i], output);
        }

        var lines = Encoding.UTF8.GetString(output.WrittenSpan).Split('\n');
        Assert.Equal(51, lines.Length);
        Assert.Equal("", lines[^1]);
        for (var i = 0; i < 50; i++)
        {
            var root = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal($"event {i}", root.GetProperty("msg").GetString());
            Assert.Equal(i, root.GetProperty("attrs").GetProperty("i").GetInt32());
            var expected = DateTimeOffset.FromUnixTimeMilliseconds(Ts + i * 3_600_000L).UtcDateTime;
            Assert.Equal(expected, root.GetProperty("ts").GetDateTime().ToUniversalTime());
        }
    }

    [Fact]
    public void WriteFitsInTheSpanItAskedForWhenEveryFieldIsPresent()
    {
        // The writer asks GetSpan for "fixed part + field lengths"; an IBufferWriter may hand out
        // exactly that, so the estimate must cover every prefix, digit and quote it writes.
        var batch = NewBatch();
        ref var e = ref AddEvent(batch, "m", "{}", "r");
        e.Type = batch.Append("t"u8);
        e.TraceId = batch.Append("t"u8);
        e.SpanId = batch.Append("s"u8);
        e.Hash = batch.Append("h"u8);
        e.Level = EventLevel.Critical;
        e.LevelCode = 91;
        e.TemplateId = ulong.MaxValue;
        e.Robot = new RobotInfo("r", "n", "s", "m");
        var output = new ExactSizeBufferWriter();

        new EventJsonWriter().Write(batch, ref batch.Events[0], output);

        var root = ParseLine(Encoding.UTF8.GetString(output.WrittenBytes));
        Assert.Equal(ulong.MaxValue, root.GetProperty("template_id").GetUInt64());
        Assert.Equal("18446744073709551615", root.GetProperty("template_id_str").GetString());
    }

    [Fact]
    public void WriteEmitsValuesCutByTheParserAsValidJson()
    {
        // Cut in the middle of escapes and multi-byte characters, then written the way the files get it.
        const string tail = "\\\"\\n\\u00e9\\ud83d\\ude00é€😀 and much more text after the cut";
        var line = $$$"""{"robot_id":"r-1","type":"0123456789a{{{tail}}}","msg":"0123456789abcde{{{tail}}}","a":{"b":["012345678{{{tail}}}",3]}}""";
        var batch = WithLines(_pool, line);
        new ParseBlock(new ParseOptions { MaxStringChars = 16 }, new PipelineMetrics(), new RecordingDeadLetterSink()).Process(batch);
        var output = new ExactSizeBufferWriter();

        new EventJsonWriter().Write(batch, ref batch.Events[0], output);

        var root = ParseLine(Encoding.UTF8.GetString(output.WrittenBytes));
        Assert.Equal("r-1", root.GetProperty("robot_id").GetString());
        Assert.Equal("0123456789a\"\né😀é…(truncated)", root.GetProperty("type").GetString());
        Assert.Equal("0123456789abcde\"…(truncated)", root.GetProperty("msg").GetString());
        var b = root.GetProperty("attrs").GetProperty("a").GetProperty("b");
        Assert.Equal("012345678\"\né😀é€😀…(truncated)", b[0].GetString());
        Assert.Equal(3, b[1].GetInt32());
    }
}
