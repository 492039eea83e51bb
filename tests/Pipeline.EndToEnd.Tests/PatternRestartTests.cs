using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.PatternMine;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

public sealed class PatternRestartTests : IDisposable
{
    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", "restart-" + Guid.NewGuid().ToString("N"));

    // One mining thread: the second pass must be mined after the first (the graph keeps order within a block).
    private static Dictionary<string, string> Settings => new() { ["Blocks:PatternMine:MaxDegreeOfParallelism"] = "1" };

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task AfterARestartOnTheSameDataDirectoryTheSameMessagesGetTheSameTemplateIds()
    {
        var messages = Messages();
        var patterns = Path.Combine(_dataDir, "patterns");

        // Stopped, not disposed, before the restart: disposing deletes the data directory.
        await using var first = await TestPipeline.StartAsync(Settings, dataDir: _dataDir);

        // The first pass teaches the miner (templates generalise and merge); the second is what it now answers.
        await first.SendTcpAsync(Payload("learn", messages));
        await first.SendTcpAsync(Payload("run1", messages));
        await first.StopAsync();
        Assert.True(File.Exists(Path.Combine(patterns, PatternSnapshotStore.SnapshotFileName)), "no snapshot written at shutdown");

        await using var second = await TestPipeline.StartAsync(Settings, dataDir: _dataDir);
        await second.SendTcpAsync(Payload("run2", messages));
        await second.StopAsync();

        var events = second.ReadLogLines().Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var run1 = ByMessage(events, "run1");
        var run2 = ByMessage(events, "run2");
        Assert.Equal(messages.Count, run1.Count);
        Assert.Equal(messages.Count, run2.Count);
        foreach (var message in messages)
        {
            Assert.Equal(run1[message], run2[message]);
        }

        // The generalised and the merged templates are among them, with the texts they had before the restart.
        Assert.Contains(run2.Values, t => t.Template == "authentication failure; tty=NODEVssh rhost=<*> user=<*>");
        Assert.Contains(run2.Values, t => t.Template == "session opened for user <*> by cron");

        using var snapshot = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(patterns, PatternSnapshotStore.SnapshotFileName)));
        var ids = snapshot.RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("id").GetUInt64()).ToHashSet();
        Assert.Superset(run2.Values.Select(t => t.Id).ToHashSet(), ids);
        Assert.Empty(Directory.GetFiles(patterns, "*.corrupt-*"));

        var history = File.ReadAllLines(Path.Combine(patterns, PatternSnapshotStore.HistoryFileName))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(history, h => h.GetProperty("change").GetString() == "generalised"
            && h.GetProperty("after").GetString() == "authentication failure; tty=NODEVssh rhost=<*> user=<*>");
        var survivor = run2["session opened for user alice by cron"].Id;
        Assert.Contains(history, h => h.GetProperty("change").GetString() == "merged" && h.GetProperty("merged_into").GetUInt64() == survivor);
    }

    [Fact]
    public async Task TheLastSnapshotIsWrittenAfterTheGraphHasDrained()
    {
        await using var pipeline = await TestPipeline.StartAsync(Settings, dataDir: _dataDir);

        // The lifecycle stops by stage: the snapshot service after the graph has drained.
        var order = pipeline.Services.GetRequiredService<PipelineLifecycle>().StopOrder.Select(s => s.GetType().Name).ToList();
        var snapshots = order.IndexOf("PatternSnapshotService");
        var graph = order.IndexOf("GraphService");
        Assert.True(snapshots >= 0 && graph >= 0, string.Join(", ", order));
        Assert.True(snapshots > graph, $"the snapshot service stops before the graph drained: {string.Join(", ", order)}");

        await pipeline.SendTcpAsync(Payload("last", ["the very last message before shutdown"]));
        await pipeline.StopAsync();

        var written = pipeline.ReadLogLines().Select(l => JsonDocument.Parse(l).RootElement).Single();
        var json = File.ReadAllText(Path.Combine(_dataDir, "patterns", PatternSnapshotStore.SnapshotFileName));
        Assert.Contains($"\"id\":{written.GetProperty("template_id").GetUInt64()},", json);
    }

    [Fact]
    public async Task AZeroSnapshotIntervalIsRejectedAtStartNamingTheKey()
    {
        var settings = new Dictionary<string, string> { ["PatternMine:Snapshots:Interval"] = "00:00:00" };

        var ex = await Assert.ThrowsAsync<ConfigurationException>(() => TestPipeline.StartAsync(settings, dataDir: _dataDir));

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("Pipeline:PatternMine:Snapshots:Interval must be positive", error);
    }

    private static List<string> Messages()
    {
        var messages = new List<string>
        {
            "Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84",
            "Received block blk_-695229586848765 of size 512 from /10.250.19.102",
            "authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root",
            "authentication failure; tty=NODEVssh rhost=10.0.0.2 user=guest",
            "Connection closed by 10.0.0.7 [preauth]",
            "motor 3 temperature 81.5 C above limit",
        };
        foreach (var user in Users)
        {
            messages.Add($"session opened for user {user} by cron");
        }

        return messages;
    }

    private static byte[] Payload(string robot, IEnumerable<string> messages)
    {
        var payload = new StringBuilder();
        foreach (var message in messages)
        {
            payload.Append(JsonSerializer.Serialize(new Dictionary<string, string> { ["robot_id"] = robot, ["msg"] = message })).Append('\n');
        }

        return Encoding.UTF8.GetBytes(payload.ToString());
    }

    private static Dictionary<string, (ulong Id, string Template)> ByMessage(List<JsonElement> events, string robot) =>
        events.Where(e => e.GetProperty("robot_id").GetString() == robot).ToDictionary(
            e => e.GetProperty("msg").GetString()!,
            e => (e.GetProperty("template_id").GetUInt64(), e.GetProperty("template").GetString()!));
}
