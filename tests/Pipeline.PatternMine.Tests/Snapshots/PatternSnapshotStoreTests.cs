using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine;
using Pipeline.PatternMine.Tests.Infrastructure;

namespace Pipeline.PatternMine.Tests.Snapshots;

public sealed class PatternSnapshotStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-tests", "patterns-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_763_900_000_000));
    private readonly PipelineMetrics _metrics = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void ASnapshotWrittenByOneStoreRestoresTheSameIdsInTheNext()
    {
        var (store, miner) = Start();
        var a = miner.Add("Received block blk_1 of size 5 from /10.0.0.1");
        var b = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=guest");

        Assert.True(store.Write(miner));
        using (var written = JsonDocument.Parse(File.ReadAllText(store.SnapshotPath)))
        {
            Assert.All(written.RootElement.GetProperty("templates").EnumerateArray(),
                t => Assert.Equal(t.GetProperty("id").GetRawText(), t.GetProperty("id_str").GetString()));
        }

        var (_, next) = Start();

        Assert.Equal(2, next.TemplateCount);
        Assert.Equal(a.TemplateId, next.Add("Received block blk_2 of size 6 from /10.0.0.2").TemplateId);
        Assert.Equal(b.TemplateId, next.Add("authentication failure; tty=NODEVssh rhost=10.0.0.9 user=admin").TemplateId);
        Assert.Equal(1, Counter("pipeline_pattern_snapshot_restores_total", "restored"));
        Assert.Equal(1, Counter("pipeline_pattern_snapshot_restores_total", "missing"));
    }

    [Fact]
    public void WritingReplacesTheSnapshotAndLeavesNoTemporaryFile()
    {
        var (store, miner) = Start();
        miner.Add("first message");
        Assert.True(store.Write(miner));
        miner.Add("second message entirely different");
        Assert.True(store.Write(miner));

        Assert.Equal(new[] { PatternSnapshotStore.SnapshotFileName }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(store.SnapshotPath));
        Assert.Equal(2, doc.RootElement.GetProperty("templates").GetArrayLength());
        Assert.Equal(2, Counter("pipeline_pattern_snapshots_total", "ok"));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"version\":1,\"written_at\":\"2025-11-23T12:13:20.000Z\",\"clock\":3,\"template_count\":2,\"templates\":[\n{\"id\":12,\"text\":\"a b\",")]
    [InlineData("{\"version\":99,\"clock\":0,\"templates\":[]}")]
    [InlineData("")]
    public void AnUnreadableSnapshotIsMovedAsideCountedAndTheMinerStartsEmpty(string content)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, PatternSnapshotStore.SnapshotFileName), content);

        var (store, miner) = Start();

        Assert.Equal(0, miner.TemplateCount);
        Assert.False(File.Exists(store.SnapshotPath));
        var aside = Assert.Single(Directory.GetFiles(_dir, PatternSnapshotStore.SnapshotFileName + ".corrupt-*"));
        Assert.Equal(content, File.ReadAllText(aside));
        Assert.Equal(1, Counter("pipeline_pattern_snapshot_restores_total", "corrupt"));
        Assert.Equal(MatchKind.Created, miner.Add("life goes on").Kind);
        Assert.True(store.Write(miner));
    }

    [Fact]
    public void ATemporaryFileLeftByACrashIsIgnoredAndRemoved()
    {
        var (store, miner) = Start();
        var id = miner.Add("kept across the crash").TemplateId;
        store.Write(miner);
        File.WriteAllText(store.SnapshotPath + ".tmp", "{\"version\":1,\"clock\":0,\"templ");

        var (_, next) = Start();

        Assert.True(next.TryGetTemplate(id, out _));
        Assert.False(File.Exists(store.SnapshotPath + ".tmp"));
    }

    [Fact]
    public void AFailedWriteKeepsThePreviousSnapshotAndIsCounted()
    {
        var (store, miner) = Start();
        miner.Add("before the disk broke");
        store.Write(miner);
        var before = File.ReadAllBytes(store.SnapshotPath);

        // A directory where the temporary file should be: the write cannot create it.
        Directory.CreateDirectory(store.SnapshotPath + ".tmp");
        miner.Add("after the disk broke, quite different");

        Assert.False(store.Write(miner));
        Assert.Equal(before, File.ReadAllBytes(store.SnapshotPath));
        Assert.Equal(1, Counter("pipeline_pattern_snapshots_total", "failed"));
    }

    [Fact]
    public void ChangesAreAppendedToTheHistoryOneJsonObjectPerLine()
    {
        var (store, miner) = Start(new PatternMineOptions { MaxTemplates = 10 });
        var root = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=guest");
        store.Write(miner);
        for (var i = 0; i < 8; i++)
        {
            miner.Add($"session opened for user {Messages.Word(i)} by cron");
        }

        for (var i = 0; i < 10; i++)
        {
            miner.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 100)}");
        }

        store.Write(miner);

        var lines = File.ReadAllLines(store.HistoryPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var first = lines[0];
        Assert.Equal("generalised", first.GetProperty("change").GetString());
        Assert.Equal(root.TemplateId, first.GetProperty("template_id").GetUInt64());
        Assert.Equal("2025-11-23T12:13:20.000Z", first.GetProperty("at").GetString());
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=root", first.GetProperty("before").GetString());
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=<*>", first.GetProperty("after").GetString());
        Assert.Contains(lines, l => l.GetProperty("change").GetString() == "merged" && l.GetProperty("merged_into").GetUInt64() != 0);
        // Each id also as its exact decimal text, for jq 1.6 and JavaScript, which round numbers above 2^53.
        Assert.All(lines, l => Assert.Equal(l.GetProperty("template_id").GetRawText(), l.GetProperty("template_id_str").GetString()));
        Assert.All(lines.Where(l => l.TryGetProperty("merged_into", out _)),
            l => Assert.Equal(l.GetProperty("merged_into").GetRawText(), l.GetProperty("merged_into_str").GetString()));
        Assert.Contains(lines, l => l.GetProperty("change").GetString() == "evicted");
        Assert.Equal(lines.Count, Counter("pipeline_pattern_history_records_total"));
    }

    [Fact]
    public void DroppedChangesAreCountedAtTheNextWrite()
    {
        var (store, miner) = Start(new PatternMineOptions { MaxTemplates = 10, Snapshots = new PatternSnapshotOptions { HistoryCapacity = 2 } });
        for (var i = 0; i < 50; i++)
        {
            miner.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 1000)}");
        }

        store.Write(miner);

        Assert.Equal(2, File.ReadAllLines(store.HistoryPath).Length);
        Assert.Equal(miner.EvictedCount - 2, Counter("pipeline_pattern_history_dropped_total"));
    }

    [Fact]
    public void TheHistoryIsRolledOverPastItsMaximumSize()
    {
        var (store, miner) = Start(new PatternMineOptions { MaxTemplates = 10, Snapshots = new PatternSnapshotOptions { MaxHistoryBytes = 4096 } });
        var n = 0;
        while (!File.Exists(Path.Combine(_dir, PatternSnapshotStore.PreviousHistoryFileName)))
        {
            Assert.True(n < 10_000, "the history never rolled over");
            for (var i = 0; i < 20; i++, n++)
            {
                miner.Add($"{Messages.Word(n)} failed with {Messages.Word(n + 100_000)}");
            }

            store.Write(miner);
        }

        Assert.True(new FileInfo(Path.Combine(_dir, PatternSnapshotStore.PreviousHistoryFileName)).Length >= 4096);
        Assert.True(new FileInfo(store.HistoryPath).Length < 4096);
    }

    [Fact]
    public async Task RunAsyncWritesASnapshotEveryInterval()
    {
        var (store, miner) = Start(new PatternMineOptions { Snapshots = new PatternSnapshotOptions { Interval = TimeSpan.FromSeconds(30) } });
        miner.Add("tick tock");
        using var cts = new CancellationTokenSource();
        var run = store.RunAsync(miner, cts.Token);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, store.WriteCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.WaitForWritesAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(File.Exists(store.SnapshotPath));
        _time.Advance(TimeSpan.FromSeconds(30));
        await store.WaitForWritesAsync(2).WaitAsync(TimeSpan.FromSeconds(10));

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, store.WriteCount);
    }

    [Fact]
    public void ANonPositiveIntervalIsRejectedNamingTheKey()
    {
        var options = new PatternMineOptions { Snapshots = new PatternSnapshotOptions { Interval = TimeSpan.Zero } };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains("Pipeline:PatternMine:Snapshots:Interval", ex.Message);
    }

    private (PatternSnapshotStore Store, TemplateMiner Miner) Start(PatternMineOptions? options = null)
    {
        options ??= new PatternMineOptions();
        var store = new PatternSnapshotStore(_dir, options.Snapshots, _metrics, _time, NullLogger.Instance);
        var miner = new TemplateMiner(options);
        store.Load(miner);
        return (store, miner);
    }

    private double Counter(string name, string? result = null)
    {
        var counter = Prometheus.Metrics.WithCustomRegistry(_metrics.Registry).CreateCounter(name, "", result is null ? [] : ["result"]);
        return result is null ? counter.Value : counter.WithLabels(result).Value;
    }
}
