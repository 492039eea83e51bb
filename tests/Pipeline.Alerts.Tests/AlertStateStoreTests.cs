using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Tests.Shared;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;

namespace Pipeline.Alerts.Tests;

/// <summary>The alert state on disk: a snapshot (<c>state.json</c>) and a journal of what changed since (<c>state.journal</c>).</summary>
public sealed class AlertStateStoreTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static AlertRuleOptions Errors() => new()
    {
        Name = "errors", Kind = "threshold", Window = TimeSpan.FromSeconds(10), Threshold = 2, GroupBy = ["robot_id"], Channels = ["ops"], Match = new() { MinLevel = "ERROR" },
    };

    private static string[] SnapshotKeys(string directory) =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "state.json"))).RootElement.GetProperty("Alerts").EnumerateArray()
            .Select(a => Decode(a.GetProperty("Key").GetString()!)).Order()];

    private static string[] PersistedKeys(string directory) => [.. Persisted(directory).Select(e => Decode(e.Key)).Order()];

    private static string Decode(string key) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(key)).TrimEnd('\u001f');

    private static string[] JournalLines(string directory) => File.ReadAllLines(Path.Combine(directory, "state.journal"));

    [Fact]
    public void TheGeneratedSerializersWriteWhatTheReflectionOnesWrote()
    {
        // State files written before the serializers were generated must read back, and the other way round.
        var entry = new AlertStateEntry
        {
            Rule = "bätt'ery \"low\"", Signature = "Attribute|robot_id|data.battery < 15", Key = "cm9ib3QtNzcf", State = AlertState.Firing,
            OfflineFrom = AlertState.Pending, FiringSince = 639320199166213051, Changes = [1, 2, 0, 0], ChangeCount = 2, LastValue = 12.5,
            Head = 63932019921, Buckets = [0, 3, 0, 7],
        };
        var file = new AlertStateFile { Generation = 8, Alerts = [entry, new AlertStateEntry { Rule = "r", Removed = true }] };
        var reflection = new JsonSerializerOptions { WriteIndented = false, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        Assert.Equal(JsonSerializer.Serialize(file, reflection), JsonSerializer.Serialize(file, AlertStateJson.Default.AlertStateFile));
        Assert.Equal(JsonSerializer.Serialize(entry, reflection), JsonSerializer.Serialize(entry, AlertStateJson.Default.AlertStateEntry));
    }

    /// <summary>r-1 fires (the first save: a snapshot), r-2 fires and keeps firing, r-1 resolves: both of those only in the journal.</summary>
    private static void FireTwoResolveOne(AlertHarness h)
    {
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(Second);
        for (var s = 0; s < 12; s++)
        {
            h.Send(Event("r-2"), Event("r-2"));
            h.Advance(Second);
        }

        Assert.Null(h.Alert("errors", "robot_id=r-1"));
        Assert.Equal(AlertState.Firing, h.Alert("errors", "robot_id=r-2")!.State);
    }

    [Fact]
    public void ATickWritesOnlyTheAlertsThatChangedAndARestartReadsTheSnapshotWithTheJournal()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using (var before = new AlertHarness(With(Errors()), directory: directory.Path, time: time))
        {
            FireTwoResolveOne(before);
            Assert.Equal(2, before.Notifier.Of(AlertNoticeKind.Firing).Count);
        }

        // The snapshot still says r-1; the journal says r-2 fired and r-1 ended (no further line: nothing else changed).
        Assert.Equal(["r-1"], SnapshotKeys(directory.Path));
        var journal = JournalLines(directory.Path);
        Assert.Equal(3, journal.Length);
        Assert.Contains("\"Generation\":1", journal[0], StringComparison.Ordinal);
        Assert.Contains("\"Removed\":true", journal[2], StringComparison.Ordinal);
        Assert.DoesNotContain("\"Removed\"", journal[1], StringComparison.Ordinal);
        Assert.Equal(["r-2"], PersistedKeys(directory.Path));

        using var after = new AlertHarness(With(Errors()), directory: directory.Path, time: time);
        Assert.Equal(AlertState.Firing, after.Alert("errors", "robot_id=r-2")!.State);
        Assert.Null(after.Alert("errors", "robot_id=r-1"));
        after.Send(Event("r-2"), Event("r-2"));
        after.Advance(Second);
        Assert.Empty(after.Notifier.Notices); // still firing, notified before the restart

        // The first save after the start is a snapshot: the journal is folded in and removed.
        Assert.Equal(["r-2"], SnapshotKeys(directory.Path));
        Assert.False(File.Exists(Path.Combine(directory.Path, "state.journal")));
    }

    [Fact]
    public void AJournalLineCutShortByACrashEndsTheReplayThereAndIsReported()
    {
        using var directory = new TempDirectory();
        using (var h = new AlertHarness(With(Errors()), directory: directory.Path))
        {
            FireTwoResolveOne(h);
        }

        File.AppendAllText(Path.Combine(directory.Path, "state.journal"), "{\"Rule\":\"errors\",\"Signa");
        var logger = new RecordingLogger();
        var loaded = new AlertStateStore(directory.Path, logger).Load();
        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.JournalLines);
        Assert.Equal(["r-2"], [.. loaded.Alerts.Select(e => Decode(e.Key))]);
        Assert.Contains(logger.Messages, m => m.Contains("cut short at line 4", StringComparison.Ordinal));
    }

    [Fact]
    public void AJournalOfAnOlderSnapshotIsIgnored()
    {
        // A crash after a new snapshot was moved into place and before the old journal was removed.
        using var directory = new TempDirectory();
        var store = new AlertStateStore(directory.Path, NullLogger.Instance);
        AlertStateEntry Entry(string key) => new() { Rule = "errors", Signature = "s", Key = Convert.ToBase64String("r-1\u001f"u8.ToArray()) + key, State = AlertState.Firing };
        Assert.True(store.WriteSnapshot(new AlertStateFile { Generation = 1, Alerts = [Entry("a")] }));
        Assert.True(store.Append(1, [Entry("b")]));
        Assert.Equal(2, store.Load()!.Alerts.Count);

        File.WriteAllText(store.SnapshotPath, JsonSerializer.Serialize(new AlertStateFile { Generation = 2, Alerts = [Entry("a")] }));
        var loaded = store.Load()!;
        Assert.Equal(0, loaded.JournalLines);
        Assert.Equal(Entry("a").Key, Assert.Single(loaded.Alerts).Key);
    }

    [Fact]
    public void ManyChangesAtOnceAreWrittenAsASnapshotNotAJournalLongerThanIt()
    {
        using var directory = new TempDirectory();
        using var h = new AlertHarness(With(Errors()), directory: directory.Path);
        h.Send(Event("r-0"), Event("r-0"));
        h.Advance(Second); // the first save: a snapshot of one
        h.Send(Event("r-1"), Event("r-1"), Event("r-2"), Event("r-2"));
        h.Advance(Second); // two changes: the journal
        Assert.Equal(3, JournalLines(directory.Path).Length);

        var robots = Enumerable.Range(10, AlertEngine.MinJournalLines + 10).Select(i => $"r-{i}").ToArray();
        h.Send([.. robots.SelectMany(r => new[] { Event(r), Event(r) })]);
        h.Advance(Second);
        Assert.False(File.Exists(Path.Combine(directory.Path, "state.journal")));
        Assert.Equal(robots.Length + 3, SnapshotKeys(directory.Path).Length);
    }

    [Fact]
    public async Task AStopWritesOneSnapshotWithEverythingAndNoJournal()
    {
        using var directory = new TempDirectory();
        using var h = new AlertHarness(With(Errors()), directory: directory.Path);
        FireTwoResolveOne(h);
        Assert.True(File.Exists(Path.Combine(directory.Path, "state.journal")));

        await h.Block.StartAsync(CancellationToken.None);
        await h.Block.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(Path.Combine(directory.Path, "state.journal")));
        Assert.Equal(["r-2"], SnapshotKeys(directory.Path));
    }

    [Fact]
    public void AStateFileWrittenBeforeTheJournalIsReadAsGenerationZero()
    {
        using var directory = new TempDirectory();
        var key = Convert.ToBase64String("r-1\u001f"u8.ToArray());
        File.WriteAllText(Path.Combine(directory.Path, "state.json"),
            $"{{\"Version\":1,\"Alerts\":[{{\"Rule\":\"errors\",\"Signature\":\"s\",\"Key\":\"{key}\",\"State\":2}}]}}");
        var loaded = new AlertStateStore(directory.Path, NullLogger.Instance).Load()!;
        Assert.Equal(0, loaded.Generation);
        Assert.Equal(key, Assert.Single(loaded.Alerts).Key);
    }
}
