using Pipeline.Blocks.PatternMine;
using Pipeline.PatternMine.Tests.Infrastructure;

namespace Pipeline.PatternMine.Tests.Snapshots;

public sealed class TemplateMinerRestoreTests
{
    [Fact]
    public void AfterRestoreLoghubMessagesGetTheSameIdsAndNoNewTemplates()
    {
        var lines = SnapshotTestData.LoghubLines();
        var original = new TemplateMiner();
        foreach (var line in lines)
        {
            original.Add(line);
        }

        var restored = SnapshotTestData.Restored(original);
        var templates = restored.TemplateCount;

        Assert.Equal(original.TemplateCount, templates);
        var created = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var before = original.Add(lines[i]);
            var after = restored.Add(lines[i]);
            Assert.Equal(before.TemplateId, after.TemplateId);
            Assert.Equal(before.Template.Text, after.Template.Text);
            created += after.Kind == MatchKind.Created ? 1 : 0;
        }

        Assert.Equal(0, created);
        Assert.Equal(templates, restored.TemplateCount);
    }

    [Fact]
    public void AGeneralisedTemplateKeepsItsIdAfterRestore()
    {
        var original = new TemplateMiner();
        var root = original.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        original.Add("authentication failure; tty=NODEVssh rhost=10.0.0.2 user=guest");

        var restored = SnapshotTestData.Restored(original);
        var admin = restored.Add("authentication failure; tty=NODEVssh rhost=10.0.0.3 user=admin");
        var rootAgain = restored.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");

        Assert.Equal(MatchKind.Matched, admin.Kind);
        Assert.Equal(root.TemplateId, admin.TemplateId);
        Assert.Equal(root.TemplateId, rootAgain.TemplateId);
        Assert.Equal(1, admin.Template.Generalisations);
        Assert.Equal(4, admin.Template.Count);
    }

    [Fact]
    public void MergedWordVariantsKeepTheSurvivorsIdAfterRestore()
    {
        var original = new TemplateMiner();
        var ids = new List<ulong>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(original.Add($"session opened for user {Messages.Word(i)} by cron").TemplateId);
        }

        Assert.Single(original.GetTemplates());
        var survivor = ids[0];

        var restored = SnapshotTestData.Restored(original);

        for (var i = 0; i < 12; i++)
        {
            var match = restored.Add($"session opened for user {Messages.Word(i)} by cron");
            Assert.Equal(survivor, match.TemplateId);
            Assert.Equal(MatchKind.Matched, match.Kind);
        }

        Assert.Equal(1, restored.TemplateCount);
    }

    [Fact]
    public void RestoreKeepsTheMostRecentlySeenWhenTheSnapshotHoldsMoreThanMaxTemplates()
    {
        var original = new TemplateMiner();
        var ids = new List<ulong>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(original.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 100)}").TemplateId);
        }

        // The first five are seen again after the others: they are the most recent, with the last five created.
        for (var i = 0; i < 5; i++)
        {
            original.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 100)}");
        }

        original.Add("a brand new template to tick the clock");
        var restored = SnapshotTestData.Restored(original, new PatternMineOptions { MaxTemplates = 11 });

        Assert.Equal(11, restored.TemplateCount);
        Assert.Equal(10, restored.EvictedCount);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(restored.TryGetTemplate(ids[i], out _), $"template {i} (seen again) was dropped");
        }

        for (var i = 15; i < 20; i++)
        {
            Assert.True(restored.TryGetTemplate(ids[i], out _), $"template {i} (recent) was dropped");
        }
    }

    [Fact]
    public void ARestoredMinerEvictsTheSameTemplatesAsTheOriginalWould()
    {
        var options = new PatternMineOptions { MaxTemplates = 50 };
        var original = new TemplateMiner(options);
        for (var i = 0; i < 45; i++)
        {
            original.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 1000)}");
        }

        for (var i = 0; i < 45; i += 3)
        {
            original.Add($"{Messages.Word(i)} failed with {Messages.Word(i + 1000)}");
        }

        var restored = SnapshotTestData.Restored(original, options);
        for (var i = 0; i < 30; i++)
        {
            var message = $"{Messages.Word(i + 500)} retried after {Messages.Word(i + 2000)}";
            Assert.Equal(original.Add(message).TemplateId, restored.Add(message).TemplateId);
        }

        Assert.True(original.EvictedCount > 0);
        Assert.Equal(original.EvictedCount, restored.EvictedCount);
        var kept = original.GetTemplates().Select(t => t.Id).Order().ToArray();
        Assert.Equal(kept, restored.GetTemplates().Select(t => t.Id).Order().ToArray());
    }

    [Fact]
    public async Task ExportingWhileOtherThreadsMineGivesConsistentSnapshots()
    {
        var lines = SnapshotTestData.LoghubLines();
        var miner = new TemplateMiner(new PatternMineOptions { MaxTemplates = 300 });
        using var start = new Barrier(3);
        var mining = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = w; i < lines.Count; i += 2)
            {
                miner.Add(lines[i]);
            }
        })).ToArray();

        start.SignalAndWait();
        var exports = 0;
        while (!mining.All(t => t.IsCompleted) || exports == 0)
        {
            var snapshot = SnapshotTestData.ThroughJson(miner, out _);
            Assert.Equal(snapshot.Templates.Length, snapshot.Templates.Select(t => t.Id).Distinct().Count());
            Assert.InRange(snapshot.Templates.Length, 0, 300);
            new TemplateMiner().Restore(snapshot);
            exports++;
        }

        await Task.WhenAll(mining);
        var restored = SnapshotTestData.Restored(miner);
        Assert.Equal(miner.GetTemplates().Select(t => t.Id).Order(), restored.GetTemplates().Select(t => t.Id).Order());
    }

    [Fact]
    public void RestoringIntoAMinerThatAlreadyMinedIsRefused()
    {
        var original = new TemplateMiner();
        original.Add("something happened");
        var snapshot = SnapshotTestData.ThroughJson(original, out _);
        var busy = new TemplateMiner();
        busy.Add("something else happened");

        Assert.Throws<InvalidOperationException>(() => busy.Restore(snapshot));
    }

    [Fact]
    public void ASnapshotWithARepeatedIdIsRejectedAndLeavesTheMinerEmpty()
    {
        var original = new TemplateMiner();
        original.Add("something happened");
        var snapshot = SnapshotTestData.ThroughJson(original, out _);
        var twice = snapshot with { Templates = [snapshot.Templates[0], snapshot.Templates[0] with { Sequence = 5 }] };
        var miner = new TemplateMiner();

        Assert.Throws<FormatException>(() => miner.Restore(twice));
        Assert.Equal(0, miner.TemplateCount);
    }
}
