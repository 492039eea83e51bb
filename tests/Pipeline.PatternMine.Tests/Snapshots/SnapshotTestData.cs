using System.Text;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests.Snapshots;

/// <summary>Real messages (the Loghub samples) and helpers to push a miner through a snapshot.</summary>
internal static class SnapshotTestData
{
    /// <summary>
    /// Real messages: the first 300 lines of each of the ten Loghub-2k samples, kept in the test project
    /// (Data/loghub-sample) so the tests read the same data on every machine.
    /// </summary>
    public static List<byte[]> LoghubLines()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Data", "loghub-sample");
        var lines = new List<byte[]>();
        foreach (var file in Directory.GetFiles(dir, "*.log").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                lines.Add(Encoding.UTF8.GetBytes(line));
            }
        }

        Assert.Equal(3_000, lines.Count);
        return lines;
    }

    /// <summary>Export, serialise, parse: what a restart reads back.</summary>
    public static PatternSnapshot ThroughJson(TemplateMiner miner, out byte[] json)
    {
        using var stream = new MemoryStream();
        PatternSnapshotFormat.Write(stream, miner.Export(), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));
        json = stream.ToArray();
        return PatternSnapshotFormat.Read(json);
    }

    public static TemplateMiner Restored(TemplateMiner miner, PatternMineOptions? options = null)
    {
        var restored = new TemplateMiner(options);
        restored.Restore(ThroughJson(miner, out _));
        return restored;
    }

    public static void AssertTokensEqual(TemplateToken[] expected, TemplateToken[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Text, actual[i].Text);
            Assert.Equal(expected[i].Hash, actual[i].Hash);
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.Equal(expected[i].Wordy, actual[i].Wordy);
            Assert.Equal(expected[i].Generalised, actual[i].Generalised);
        }
    }
}
