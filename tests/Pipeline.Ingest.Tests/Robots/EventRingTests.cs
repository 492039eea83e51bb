using System.Text;
using Pipeline.Ingest.Robots;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary>The per-robot ring of recent events: the newest kept, by count and by bytes, whatever the line lengths.</summary>
public sealed class EventRingTests
{
    private static string[] Texts(List<(byte[] Bytes, byte Level)> lines) => [.. lines.Select(l => Encoding.UTF8.GetString(l.Bytes))];

    [Fact]
    public void KeepsTheLastLinesUpToItsSlotsOldestFirst()
    {
        var ring = new EventRing(3);
        foreach (var text in new[] { "a", "b", "c", "d", "e" })
        {
            Assert.True(ring.Add(Encoding.UTF8.GetBytes(text), level: 1));
        }

        Assert.Equal(["c", "d", "e"], Texts(ring.Last(10, minLevel: 0)));
        Assert.Equal(["d", "e"], Texts(ring.Last(2, minLevel: 0)));
    }

    [Fact]
    public void FiltersByMinimumLevelBeforeTheLimit()
    {
        var ring = new EventRing(10);
        ring.Add("info 1"u8, 1);
        ring.Add("error 1"u8, 3);
        ring.Add("info 2"u8, 1);
        ring.Add("error 2"u8, 3);
        ring.Add("info 3"u8, 1);

        Assert.Equal(["error 1", "error 2"], Texts(ring.Last(10, minLevel: 3)));
        Assert.Equal(["error 2"], Texts(ring.Last(1, minLevel: 3)));
    }

    [Fact]
    public void LinesOfEveryLengthAcrossManyWrapsAreAlwaysTheNewestAndWhole()
    {
        // Lengths that do not divide the buffer: every wrap leaves a gap at the end and overwrites the oldest lines.
        var ring = new EventRing(1000);
        var random = new Random(7);
        var sent = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var text = $"{i}:" + new string((char)('a' + (i % 26)), random.Next(0, 9000));
            sent.Add(text);
            Assert.True(ring.Add(Encoding.UTF8.GetBytes(text), level: 1));

            if (i % 997 == 0)
            {
                var kept = Texts(ring.Last(int.MaxValue, minLevel: 0));
                Assert.NotEmpty(kept);
                Assert.Equal(sent.TakeLast(kept.Length), kept);
                Assert.True(kept.Sum(k => k.Length) <= EventRing.MaxBytes);
            }
        }
    }

    [Fact]
    public void ARingBoundByItsSlotsKeepsAllOfThemAndStaysAboutAsLargeAsItsLines()
    {
        var ring = new EventRing(100);
        for (var i = 0; i < 10_000; i++)
        {
            ring.Add(Encoding.UTF8.GetBytes($"{i:D5}" + new string('x', 95)), level: 1);
        }

        Assert.Equal(100, ring.Count);
        Assert.Equal([.. Enumerable.Range(9_900, 100).Select(i => $"{i:D5}" + new string('x', 95))], Texts(ring.Last(100, minLevel: 0)));
        Assert.InRange(ring.Capacity, 100 * 100, 4 * 100 * 100); // not the 256 KiB bound
    }

    [Fact]
    public void ALineOverAQuarterOfTheBoundIsNotKeptAndTheOthersStay()
    {
        var ring = new EventRing(10);
        ring.Add("small"u8, 1);
        Assert.False(ring.Add(new byte[(EventRing.MaxBytes / 4) + 1], 1));
        Assert.Equal(["small"], Texts(ring.Last(10, minLevel: 0)));
    }
}
