using System.Text.Json;
using Pipeline.Tests.Shared.Files;

namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>The events the files sink wrote, read back from <c>&lt;DataDir&gt;/logs/*.ndjson.lz4</c> in file order.</summary>
public static class LogFiles
{
    /// <summary>Every line of every file (tests/Shared's <see cref="RollingFiles"/>).</summary>
    public static List<string> ReadLines(string logsDir) => RollingFiles.ReadLines(logsDir);

    /// <summary>The lines of one boot (<c>boot_id</c> beside <c>conn_id</c>), parsed.</summary>
    public static List<JsonElement> ReadBoot(string logsDir, string bootId)
    {
        var events = new List<JsonElement>();
        foreach (var line in ReadLines(logsDir))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.TryGetProperty("boot_id", out var boot) && boot.ValueKind == JsonValueKind.String && boot.GetString() == bootId
                && root.TryGetProperty("attrs", out var attrs) && attrs.TryGetProperty("seq", out _))
            {
                events.Add(root);
            }
        }

        return events;
    }

    /// <summary>The <c>attrs.seq</c> of each event, in file order.</summary>
    public static List<long> Seqs(IEnumerable<JsonElement> events)
    {
        var seqs = new List<long>();
        foreach (var e in events)
        {
            seqs.Add(e.GetProperty("attrs").GetProperty("seq").GetInt64());
        }

        return seqs;
    }

    /// <summary>Asserts the seqs are exactly <paramref name="first"/>..<paramref name="last"/>, each once, in order; the message names the first problem.</summary>
    public static void AssertExactlyOnceInOrder(IReadOnlyList<long> seqs, long first, long last)
    {
        var expected = first;
        for (var i = 0; i < seqs.Count; i++)
        {
            if (seqs[i] != expected)
            {
                var duplicates = seqs.Count - seqs.Distinct().Count();
                Assert.Fail($"at line {i} of {seqs.Count}: seq {seqs[i]}, expected {expected} ({duplicates} duplicate(s) in all; want {first}..{last} once each, in order)");
            }

            expected++;
        }

        Assert.True(expected == last + 1, $"the files end at seq {expected - 1}, expected {last} ({seqs.Count} events)");
    }
}
