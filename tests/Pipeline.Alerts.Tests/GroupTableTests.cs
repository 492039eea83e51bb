using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Alerts.Tests;

/// <summary>A feed's group table: lookups through growth, shared chains and equal hashes, removal, eviction order.</summary>
public sealed class GroupTableTests
{
    private static ObservedGroup Group(int id, ulong hash)
    {
        var group = new ObservedGroup(null!, BitConverter.GetBytes(id), hash, $"g{id}", [], [], 0, 0); // the table never reads the feed
        group.Alerts = [new AlertGroup(group, $"f{id}")];
        return group;
    }

    [Fact]
    public void EveryGroupIsFoundByItsKeyThroughGrowthAndCollidingHashes()
    {
        var table = new GroupTable(10_000);
        // Hashes that share their low bits (one chain) and some that are equal outright: the key decides.
        var groups = Enumerable.Range(0, 3_000).Select(i => Group(i, i % 7 == 0 ? 42UL : ((ulong)i << 20) | 5)).ToList();
        foreach (var g in groups)
        {
            table.Add(g, out var evicted);
            Assert.Null(evicted);
        }

        Assert.Equal(3_000, table.Count);
        foreach (var g in groups)
        {
            Assert.Same(g, table.Find(g.Hash, g.Key));
        }

        Assert.Null(table.Find(42, BitConverter.GetBytes(-1)));
        foreach (var g in groups.Where((_, i) => i % 3 == 0))
        {
            table.Remove(g);
        }

        foreach (var (g, i) in groups.Select((g, i) => (g, i)))
        {
            Assert.Equal(i % 3 == 0 ? null : g, table.Find(g.Hash, g.Key));
        }

        Assert.Equal(2_000, table.Count);
        Assert.Equal(2_000, table.Snapshot().Count);
    }

    [Fact]
    public void AFullTableEvictsTheLeastRecentlySeenGroupThatHoldsNoAlert()
    {
        var table = new GroupTable(3);
        var a = Group(1, 1);
        var b = Group(2, 2);
        var c = Group(3, 3);
        table.Add(a, out _);
        table.Add(b, out _);
        table.Add(c, out _);
        a.Alerts[0].State = AlertState.Firing; // the oldest, but it holds an alert
        table.Add(Group(4, 4), out var evicted);
        Assert.Same(b, evicted);
        Assert.Null(table.Find(b.Hash, b.Key));
        Assert.Same(a, table.Find(a.Hash, a.Key));
        Assert.Equal(1, table.Evicted);
    }
}
