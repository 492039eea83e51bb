using System.Buffers.Text;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Blocks.Events;

namespace Pipeline.Alerts.Tests;

/// <summary>The one-walk reader of all numeric attribute paths answers exactly what reading each path alone answers.</summary>
public sealed class AttributeReaderTests
{
    private static readonly string[] Paths = ["data.battery", "data.x", "data.pose.z", "temp", "data", "data.pose", "data.missing", "other.v"];

    [Theory]
    [InlineData("\"data\":{\"battery\":12,\"x\":3.5,\"pose\":{\"z\":-1}},\"temp\":40")]
    [InlineData("\"data\":{\"battery\":\"12\",\"x\":\"3.5e1\"},\"temp\":\"hot\"")] // numbers sent as strings count; a word does not
    [InlineData("\"data\":{\"battery\":true,\"x\":null,\"pose\":[1,2]}")] // booleans, null, an array where an object is expected
    [InlineData("\"data\":{\"battery\":1},\"data\":{\"battery\":2}")] // a duplicate name: the first decides
    [InlineData("\"data\":{\"x\":{\"battery\":5},\"battery\":7}")] // the name at another depth does not count
    [InlineData("\"data\":7,\"temp\":1")] // not an object where the path goes on
    [InlineData("\"other\":{\"v\":[{\"v\":1}],\"w\":2},\"data\":{\"pose\":{\"z\":\"9\",\"z\":8}}")]
    [InlineData("\"data\":{\"batt\\u0065ry\":5}")] // an escaped name matches its unescaped path
    [InlineData("\"unrelated\":{\"a\":{\"b\":{\"c\":1}}}")]
    [InlineData("\"data\" : { \"battery\" :\t12 ,\r\n \"x\" : \"3.5\" } , \"temp\" : -2")] // whitespace between every token
    [InlineData("\"note\":\"a } and a \\\" and { [\",\"data\":{\"battery\":4}")] // braces and an escaped quote inside a skipped string
    [InlineData("\"list\":[{\"data\":{\"battery\":1}},\"]\",[[]],{}],\"data\":{\"battery\":2}")] // nested arrays skipped whole
    [InlineData("\"flags\":[true,false,null],\"ok\":true,\"none\":null,\"data\":{\"battery\":1e2,\"x\":-0.5}")]
    [InlineData("\"data\":{\"battery\":\"\\u0031\"}")] // an escaped digit in a string: not a number, as read alone
    [InlineData("\"robot_name\":\"快递小车166\",\"data\":{\"battery\":69,\"x\":9.413,\"y\":58.279},\"seq\":0")] // the fleet's shape
    [InlineData("\"data\":{\"battery\":12345678901234567890,\"x\":0.30000000000000004}")] // past the decimal fast path
    [InlineData("\"data\":{},\"temp\":{}")] // empty objects
    public void EveryPathReadsTheSameAsAlone(string attributes)
    {
        var batch = new AlertBatches().From(SourceConnection.Unknown, $"{{\"robot_id\":\"r-1\",\"level\":\"INFO\",\"type\":\"t\",\"msg\":\"m\",{attributes}}}");
        var e = batch.Events[0];
        var paths = Paths.Select(p => { Assert.True(EventPath.TryParse(p, out var path, out _)); return path; }).ToList();
        var reader = new AttributeReader(paths);
        reader.Read(batch[e.Attributes]);

        Span<byte> scratch = stackalloc byte[EventPath.ScratchBytes];
        for (var p = 0; p < paths.Count; p++)
        {
            var expected = double.NaN;
            var alone = paths[p].TryGet(batch, in e, scratch, out var raw, out _) &&
                Utf8Parser.TryParse(raw, out expected, out var consumed) && consumed == raw.Length;
            var together = reader.TryGet(p, out var value);
            Assert.True(alone == together, $"{Paths[p]}: alone {alone}, together {together}");
            if (alone)
            {
                Assert.Equal(expected, value);
            }
        }
    }

    [Fact]
    public void ABatchOfEventsReusesTheReaderWithoutCarryingAValueOver()
    {
        Assert.True(EventPath.TryParse("data.battery", out var battery, out _));
        var batch = new AlertBatches().From(SourceConnection.Unknown,
            "{\"robot_id\":\"r-1\",\"level\":\"INFO\",\"type\":\"t\",\"msg\":\"m\",\"data\":{\"battery\":12}}",
            "{\"robot_id\":\"r-1\",\"level\":\"INFO\",\"type\":\"t\",\"msg\":\"m\",\"data\":{}}");
        var reader = new AttributeReader([battery]);
        reader.Read(batch[batch.Events[0].Attributes]);
        Assert.True(reader.TryGet(0, out var first));
        Assert.Equal(12, first);
        reader.Read(batch[batch.Events[1].Attributes]);
        Assert.False(reader.TryGet(0, out _));
    }

    [Theory]
    [InlineData("{\"data\":", false, 0)] // cut off: nothing read, nothing thrown
    [InlineData("{\"data\":{\"x\":1,\"battery\":5}", true, 5)] // cut off after both values: read, as the JSON reader reads them
    [InlineData("{\"data\":{\"battery\":5", false, 0)] // cut off with data.x still to find: the JSON reader fails, so nothing
    [InlineData("{\"data\":{\"battery\":}}", false, 0)]
    [InlineData("{\"x\":tru,\"data\":{\"battery\":5}}", false, 0)] // a broken literal before the path: the JSON reader's answer
    [InlineData("{\"data\":{\"battery\":5 \"x\":1}}", false, 0)] // a missing comma: the reader rejects it and says nothing
    [InlineData("[1,2]", false, 0)]
    [InlineData("", false, 0)]
    [InlineData("{\"data\":{\"battery\":\"5}}", false, 0)] // a string that never ends
    public void AttributesThatAreNotTheParseBlocksValidJsonGetTheJsonReadersAnswer(string attributes, bool present, double expected)
    {
        Assert.True(EventPath.TryParse("data.battery", out var battery, out _));
        Assert.True(EventPath.TryParse("data.x", out var x, out _));
        var reader = new AttributeReader([battery, x]);
        reader.Read(System.Text.Encoding.UTF8.GetBytes(attributes));
        Assert.Equal(present, reader.TryGet(0, out var value));
        if (present)
        {
            Assert.Equal(expected, value);
        }
    }

    [Theory]
    [InlineData("\"robot_name\":\"快递小车166\",\"data\":{\"battery\":69,\"x\":9.413},\"token\":\"[REDACTED]\",\"seq\":0", 0)]
    [InlineData("\"note\":\"a } and a \\\" and { [\",\"list\":[{\"a\":\"]\"},[[]]],\"ok\":true,\"data\":{\"battery\":4}", 0)]
    [InlineData("\"data\" : { \"battery\" :\t12 ,\r\n \"x\" : \"3.5\" }", 0)]
    [InlineData("\"data\":{\"batt\\u0065ry\":5}", 1)] // an escaped name: the JSON reader compares it unescaped
    public void ValidAttributesAreScannedWithoutTheJsonReader(string attributes, int fallbacks)
    {
        var batch = new AlertBatches().From(SourceConnection.Unknown, $"{{\"robot_id\":\"r-1\",\"level\":\"INFO\",\"type\":\"t\",\"msg\":\"m\",{attributes}}}");
        Assert.True(EventPath.TryParse("data.battery", out var battery, out _));
        Assert.True(EventPath.TryParse("data.x", out var x, out _));
        var reader = new AttributeReader([battery, x]);
        reader.Read(batch[batch.Events[0].Attributes]);
        Assert.Equal(fallbacks, reader.Fallbacks);
        Assert.True(reader.TryGet(0, out _));
    }
}
