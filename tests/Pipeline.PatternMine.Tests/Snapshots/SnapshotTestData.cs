using System.Text;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests.Snapshots;

/// <summary>Real messages (the Loghub samples) and helpers to push a miner through a snapshot.</summary>
internal static class SnapshotTestData
{
    /// <summary>Every line of every Loghub sample (<c>PIPELINE_LOGHUB_DIR</c>, else <c>shared/data/loghub</c> above the test's directory).</summary>
    public static List<byte[]> LoghubLines()
    {
        var dir = LoghubDirectory();
        var lines = new List<byte[]>();
        foreach (var file in Directory.GetFiles(dir, "*_2k.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                lines.Add(Encoding.UTF8.GetBytes(line));
            }
        }

        Assert.True(lines.Count >= 10_000, $"expected the ten Loghub samples in {dir}, found {lines.Count} lines");
        return lines;
    }

    private static string LoghubDirectory()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_LOGHUB_DIR") is { Length: > 0 } env)
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "loghub");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("Loghub samples not found: set PIPELINE_LOGHUB_DIR or put them in shared/data/loghub above the repository.");
        return "";
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
