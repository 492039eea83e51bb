using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.PatternMine;

public sealed class PatternMineBlockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly EventBatchPool _pool = SmallPool();
    private readonly PipelineMetrics _metrics = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TemplateMiner _miner = new();

    private PatternMineBlock Block() => new(_miner, _time, _metrics);

    [Fact]
    public void PatternMineGivesMessagesOfOnePatternOneTemplateId()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "Door 405 opened by command 667");
        AddEvent(batch, "Battery level 89 percent");
        AddEvent(batch, "Door 12 opened by command 3");

        Block().Process(batch);

        var events = batch.Events;
        Assert.NotEqual(0UL, events[0].TemplateId);
        Assert.Equal(events[0].TemplateId, events[2].TemplateId);
        Assert.NotEqual(events[0].TemplateId, events[1].TemplateId);
        Assert.Equal("Door <*> opened by command <*>", events[2].Template!.Text);
        Assert.Equal(events[0].TemplateId, events[0].Template!.Id);
        Assert.Equal(2, _miner.TemplateCount);
    }

    [Fact]
    public void PatternMineLeavesEventsWithoutMsgUntagged()
    {
        var batch = _pool.Rent();
        AddEvent(batch, msg: null);
        AddEvent(batch, "");
        AddEvent(batch, "Battery level 89 percent");

        Block().Process(batch);

        Assert.Equal(0UL, batch.Events[0].TemplateId);
        Assert.Null(batch.Events[0].Template);
        Assert.Equal(0UL, batch.Events[1].TemplateId);
        Assert.Null(batch.Events[1].Template);
        Assert.NotEqual(0UL, batch.Events[2].TemplateId);
        Assert.Equal(1, _miner.TemplateCount);
    }

    [Fact]
    public void PatternMineUnescapesJsonBeforeMiningAndKeepsTheExampleAsText()
    {
        var batch = _pool.Rent();
        AddEvent(batch, """Opened \"door\" 7\tat\u00e9 dock""");
        AddEvent(batch, """Opened "door" 8	até dock""");

        Block().Process(batch);

        Assert.Equal(batch.Events[0].TemplateId, batch.Events[1].TemplateId);
        var template = batch.Events[0].Template!;
        Assert.Equal("Opened \"door\" 7\taté dock", template.Example);
        Assert.Equal("Opened \"door\" <*> até dock", template.Text);
        Assert.Equal("""Opened \"door\" <*> até dock""", Encoding.UTF8.GetString(template.JsonUtf8.Span));
    }

    [Fact]
    public void PatternMineRecordsWallClockFirstAndLastSeen()
    {
        var block = Block();
        var first = _pool.Rent();
        AddEvent(first, "Battery level 89 percent");
        block.Process(first);
        _time.Advance(TimeSpan.FromSeconds(90));
        var second = _pool.Rent();
        AddEvent(second, "Battery level 12 percent");
        block.Process(second);

        var template = second.Events[0].Template!;
        Assert.Same(first.Events[0].Template, template);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), template.FirstSeenAt);
        Assert.Equal(Start.AddSeconds(90).ToUnixTimeMilliseconds(), template.LastSeenAt);
        Assert.Equal(2, template.Count);
        Assert.Equal("Battery level 89 percent", template.Example);
    }

    [Fact]
    public void PatternMineCountsEventsInAndOut()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "a 1");
        AddEvent(batch, msg: null);

        Block().Process(batch);

        Assert.Equal(2, _metrics.ComponentEvents.WithLabels("pattern_mine", "in").Value);
        Assert.Equal(2, _metrics.ComponentEvents.WithLabels("pattern_mine", "out").Value);
    }

    [Fact]
    public void PatternMineTagsAOneMebibyteMsgAndKeepsAShortExample()
    {
        var batch = _pool.Rent();
        var huge = "upload " + new string('x', 1024 * 1024) + " done";
        AddEvent(batch, huge);
        AddEvent(batch, "upload small done");

        Block().Process(batch);

        var template = batch.Events[0].Template!;
        Assert.NotEqual(0UL, template.Id);
        Assert.True(template.Text.Length < 70 * 1024, $"template of {template.Text.Length} chars");
        Assert.Equal(1024, template.Example!.Length);
        Assert.StartsWith("upload xxx", template.Example, StringComparison.Ordinal);
    }

    [Fact]
    public void PatternMineTagsAMsgOfTenThousandTokensWithABoundedTemplate()
    {
        var batch = _pool.Rent();
        AddEvent(batch, string.Join(' ', Enumerable.Range(0, 10_000).Select(i => "w" + i)));

        Block().Process(batch);

        var template = batch.Events[0].Template!;
        Assert.Equal(128, template.TokenCount);
        Assert.EndsWith("<*>", template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void PatternMineTagsBinaryJunkWithAValidUtf8Template()
    {
        var batch = _pool.Rent();
        // Control characters arrive JSON-escaped; invalid UTF-8 bytes arrive as they are.
        var junk = batch.Append([.. "\\u0000\\u0001 \\u001f"u8, 0xFF, 0xFE, (byte)' ', 0xC3]);
        ref var e = ref batch.AddEvent();
        e.Msg = junk;

        Block().Process(batch);

        var template = batch.Events[0].Template!;
        Assert.NotEqual(0UL, template.Id);
        Assert.Equal(template.Text, Encoding.UTF8.GetString(template.Utf8.Span));
        Assert.DoesNotContain(template.Text, c => char.IsControl(c));
        using var json = System.Text.Json.JsonDocument.Parse("\"" + Encoding.UTF8.GetString(template.JsonUtf8.Span) + "\"");
        Assert.Equal(template.Text, json.RootElement.GetString());
    }
}
