using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Events reach the files with the template id and text the pattern-mine block gave them.</summary>
public sealed class PatternMineTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyb2JvdC00MiJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    private static string Input(params string[] messages) =>
        string.Concat(messages.Select((m, i) => $$"""{"robot_id":"r1","msg":"{{m}}","seq":{{i}}}""" + "\n"));

    [Fact]
    public async Task FilesCarryTheTemplateIdAndTemplateOfEveryEventWithAMsg()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(
            Input("Door 405 opened by command 667", "Battery level 89 percent", "Door 12 opened by command 3") +
            """{"robot_id":"r1","type":"heartbeat","seq":3}""" + "\n"));
        await pipeline.StopAsync();

        var bySeq = pipeline.ReadLogLines().OrderBy(Ndjson.Seq).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, bySeq.Count);
        var door = bySeq[0].GetProperty("template_id").GetUInt64();
        Assert.Equal(door, bySeq[2].GetProperty("template_id").GetUInt64());
        Assert.NotEqual(door, bySeq[1].GetProperty("template_id").GetUInt64());
        Assert.Equal("Door <*> opened by command <*>", bySeq[2].GetProperty("template").GetString());
        Assert.Equal("Battery level <*> percent", bySeq[1].GetProperty("template").GetString());
        Assert.False(bySeq[3].TryGetProperty("template_id", out _), "an event without msg has no template");
        Assert.False(bySeq[3].TryGetProperty("template_id_str", out _));
        Assert.False(bySeq[3].TryGetProperty("template", out _));
    }

    [Fact]
    public async Task FilesCarryEachTemplateIdAlsoAsItsExactDecimalText()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(Input("Door 405 opened by command 667", "Battery level 89 percent", "lidar scan complete")));
        await pipeline.StopAsync();

        var lines = pipeline.ReadLogLines().Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            // A reader of doubles (JavaScript, jq 1.6) rounds ids above 2^53 (all but 1 in 2048 of them): the string stays exact.
            var id = line.GetProperty("template_id").GetUInt64();
            Assert.Equal(id.ToString(CultureInfo.InvariantCulture), line.GetProperty("template_id_str").GetString());
        }
    }

    [Fact]
    public async Task TemplatesAreMinedAfterRedactionSoTheyNeverHoldSecrets()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(Input($"session renewed with {Jwt} for robot-42")));
        await pipeline.StopAsync();

        var line = Assert.Single(pipeline.ReadLogLines());
        var template = JsonDocument.Parse(line).RootElement.GetProperty("template").GetString()!;
        Assert.DoesNotContain("eyJ", template);
        Assert.Contains("***", template);
    }

    [Fact]
    public async Task WithThePatternMineBlockOffEventsHaveNoTemplate()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["PatternMine:Enabled"] = "false" });
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(Input("Door 405 opened by command 667")));
        await pipeline.StopAsync();

        var line = Assert.Single(pipeline.ReadLogLines());
        Assert.DoesNotContain("template", line);
    }

    [Fact]
    public async Task AFloodOfUniqueMessagesKeepsTheTemplatesBoundedAndCountsEvictions()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["PatternMine:MaxTemplates"] = "100" });
        var input = new StringBuilder();
        for (var i = 0; i < 2_000; i++)
        {
            // A different first word each time: every message is a template of its own.
            input.Append($$"""{"robot_id":"r1","msg":"{{Letters(i)}} happened","seq":{{i}}}""").Append('\n');
        }

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(input.ToString()));
        await pipeline.StopAsync();

        Ndjson.AssertEverySeqOnce(pipeline.ReadLogLines(), 2_000);
        Assert.InRange(await pipeline.ScrapeAsync("pipeline_pattern_templates"), 1, 100);
        Assert.InRange(await pipeline.ScrapeAsync("pipeline_pattern_evicted_templates_total"), 1_900, 2_000);
    }

    /// <summary>0 → "a", 25 → "z", 26 → "aa": words without digits, so nothing in them is masked.</summary>
    private static string Letters(int i)
    {
        var text = new StringBuilder();
        for (i++; i > 0; i = (i - 1) / 26)
        {
            text.Insert(0, (char)('a' + ((i - 1) % 26)));
        }

        return text.ToString();
    }
}
