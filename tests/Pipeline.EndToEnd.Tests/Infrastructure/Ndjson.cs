using System.Text;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>Generated robot events with a distinct <c>seq</c>, and reading <c>seq</c> back from the files' lines.</summary>
public static class Ndjson
{
    /// <summary>One event per line for seq in [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>).</summary>
    public static byte[] Events(int from, int count, string robotId = "r1")
    {
        var text = new StringBuilder(count * 96);
        for (var seq = from; seq < from + count; seq++)
        {
            AppendEvent(text, seq, robotId);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static void AppendEvent(StringBuilder text, long seq, string robotId = "r1") =>
        text.Append("{\"ts\":\"2025-01-02T03:04:05.678Z\",\"robot_id\":\"").Append(robotId)
            .Append("\",\"level\":\"INFO\",\"type\":\"nav\",\"msg\":\"waypoint reached ").Append(seq)
            .Append("\",\"seq\":").Append(seq).Append("}\n");

    /// <summary>The <c>attrs.seq</c> of a normalised line as the files sink writes it.</summary>
    public static long Seq(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("attrs").GetProperty("seq").GetInt64();
    }

    /// <summary>A string field of a normalised line, or null when it is absent.</summary>
    public static string? Field(string line, string name)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }

    /// <summary>Asserts that the lines hold exactly the seqs [0, <paramref name="count"/>), each once.</summary>
    public static void AssertEverySeqOnce(IReadOnlyCollection<string> lines, int count)
    {
        var seen = new int[count];
        foreach (var line in lines)
        {
            var seq = Seq(line);
            Assert.InRange(seq, 0, count - 1);
            seen[seq]++;
        }

        var missing = new List<int>();
        var duplicated = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (seen[i] == 0)
            {
                missing.Add(i);
            }
            else if (seen[i] > 1)
            {
                duplicated.Add(i);
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} seq(s) missing, first: {string.Join(", ", missing.Take(10))}");
        Assert.True(duplicated.Count == 0, $"{duplicated.Count} seq(s) duplicated, first: {string.Join(", ", duplicated.Take(10))}");
        Assert.Equal(count, lines.Count);
    }
}
