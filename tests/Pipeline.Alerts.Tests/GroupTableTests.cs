using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Alerts.Tests;

/// <summary>The group index (rows by key: lookups through growth, shared chains and equal hashes, removal) and a feed's table (eviction order).</summary>
public sealed class GroupTableTests
{
    private static ObservedGroup Group(int id, ulong hash)
    {
        var row = new GroupRow(BitConverter.GetBytes(id), hash, GroupSlots.Fixed, 0, 1);
        var group = new ObservedGroup(null!, row, 0, 0, $"g{id}", []); // the table never reads the feed
        group.Alerts = [new AlertGroup(group, $"f{id}")];
        return group;
    }

    [Fact]
    public void EveryRowIsFoundByItsKeyThroughGrowthAndCollidingHashes()
    {
        var index = new GroupIndex("robot_id");
        // Hashes that share their low bits (one chain) and some that are equal outright: the key decides.
        var keys = Enumerable.Range(0, 3_000).Select(i => (Key: BitConverter.GetBytes(i), Hash: i % 7 == 0 ? 42UL : ((ulong)i << 20) | 5)).ToList();
        var rows = keys.Select(k => index.Add(k.Hash, k.Key)).ToList();
        Assert.Equal(3_000, index.Count);
        foreach (var (row, (key, hash)) in rows.Zip(keys))
        {
            Assert.Same(row, index.Find(hash, key));
            Assert.Same(row, index.GetOrAdd(hash, key));
        }

        Assert.Null(index.Find(42, BitConverter.GetBytes(-1)));
        foreach (var row in rows.Where((_, i) => i % 3 == 0))
        {
            index.Remove(row);
        }

        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            Assert.Equal(i % 3 == 0 ? null : row, index.Find(row.Hash, row.Key));
        }

        Assert.Equal(2_000, index.Count);
    }

    [Fact]
    public void AnIndexRowsStateStartsOnACacheLineAndStaysThere()
    {
        var index = new GroupIndex("robot_id");
        var rows = Enumerable.Range(0, 100).Select(i => index.Add((ulong)i, BitConverter.GetBytes(i))).ToList();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true); // pinned: never moved
        foreach (var row in rows)
        {
            var handle = System.Runtime.InteropServices.GCHandle.Alloc(row.State, System.Runtime.InteropServices.GCHandleType.Pinned);
            try
            {
                Assert.InRange(row.Base, 0, GroupSlots.Line - 1);
                Assert.Equal(0, (handle.AddrOfPinnedObject() + (row.Base * sizeof(long))) % 64);
            }
            finally
            {
                handle.Free();
            }
        }
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
        Assert.Equal([Group4Key(), c.GroupKey, a.GroupKey], table.Snapshot().Select(g => g.GroupKey));
        Assert.Equal(1, table.Evicted);
        Assert.Equal(3, table.Count);

        static string Group4Key() => "g4";
    }
}
