using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.PatternMine;
using Pipeline.PatternMine.Tests.Infrastructure;

namespace Pipeline.PatternMine.Tests.Snapshots;

public sealed class PatternChangeLogTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_763_900_000_000));

    [Fact]
    public void AGeneralisationIsRecordedWithItsIdAndTextBeforeAndAfter()
    {
        var (miner, log) = Recording();
        var root = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        _time.Advance(TimeSpan.FromSeconds(5));
        miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.2 user=guest");

        var change = Assert.Single(Drain(log));
        Assert.Equal(PatternChangeKind.Generalised, change.Kind);
        Assert.Equal(root.TemplateId, change.Id);
        Assert.Equal(1_763_900_005_000, change.AtUnixMs);
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=root", change.Before);
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=<*>", change.After);
    }

    [Fact]
    public void AMergeRecordsTheSurvivorsGeneralisationAndEveryRetiredTemplate()
    {
        var (miner, log) = Recording();
        var ids = new List<ulong>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(miner.Add($"session opened for user {Messages.Word(i)} by cron").TemplateId);
        }

        var changes = Drain(log);

        var generalised = Assert.Single(changes, c => c.Kind == PatternChangeKind.Generalised);
        Assert.Equal(ids[0], generalised.Id);
        Assert.Equal("session opened for user <*> by cron", generalised.After);
        var merged = changes.Where(c => c.Kind == PatternChangeKind.Merged).ToList();
        Assert.Equal(ids.Skip(1).Distinct().Where(id => id != ids[0]).Order(), merged.Select(c => c.Id).Order());
        Assert.All(merged, c => Assert.Equal(ids[0], c.MergedInto));
    }

    [Fact]
    public void AnEvictionIsRecorded()
    {
        var (miner, log) = Recording(new PatternMineOptions { MaxTemplates = 10 });
        var first = miner.Add($"{Messages.Word(0)} failed with {Messages.Word(100)}");
        for (var i = 1; i <= 10; i++)
        {
            miner.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 100)}");
        }

        var evicted = Drain(log).Where(c => c.Kind == PatternChangeKind.Evicted).Select(c => c.Id).ToList();
        Assert.True(miner.EvictedCount > 0);
        Assert.Equal(miner.EvictedCount, evicted.Count);
        Assert.Contains(first.TemplateId, evicted);
        Assert.False(miner.TryGetTemplate(first.TemplateId, out _));
    }

    [Fact]
    public void AFullLogDropsAndCountsInsteadOfWaiting()
    {
        var (miner, log) = Recording(new PatternMineOptions { MaxTemplates = 10 }, capacity: 3);
        for (var i = 0; i < 100; i++)
        {
            miner.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 1000)}");
        }

        Assert.Equal(3, log.Count);
        Assert.Equal(miner.EvictedCount - 3, log.Dropped);
        Assert.Equal(3, Drain(log).Count);
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void AMinerWithoutALogRecordsNothingAndStillWorks()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTemplates = 10 });
        for (var i = 0; i < 100; i++)
        {
            miner.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 1000)}");
        }

        Assert.True(miner.EvictedCount > 0);
        Assert.InRange(miner.TemplateCount, 1, 10);
    }

    private (TemplateMiner Miner, PatternChangeLog Log) Recording(PatternMineOptions? options = null, int capacity = 1000)
    {
        var miner = new TemplateMiner(options);
        var log = new PatternChangeLog(capacity, _time);
        miner.RecordChangesTo(log);
        return (miner, log);
    }

    private static List<PatternChange> Drain(PatternChangeLog log)
    {
        var changes = new List<PatternChange>();
        log.Drain(changes);
        return changes;
    }
}
