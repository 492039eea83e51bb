using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Alerts.Tests;

/// <summary>A sliding window (a ring of buckets with the head counted inline) against a plain model of it.</summary>
public sealed class AlertWindowTests
{
    private const long BucketTicks = TimeSpan.TicksPerSecond;
    private const int Buckets = 10;

    /// <summary>A window in the middle of a row's state and rings (as a feed's second window slot would be).</summary>
    private static SlidingWindow NewWindow() => NewWindow(new long[20], new long[3 * Buckets]);

    private static SlidingWindow NewWindow(long[] state, long[] rings) => new(state, 8, rings, Buckets, Buckets);

    /// <summary>Events whose bucket is one of the <see cref="Buckets"/> ending with the bucket of <paramref name="now"/>.</summary>
    private static long Model(List<long> events, long now) =>
        events.Count(t => t / BucketTicks > now / BucketTicks - Buckets && t / BucketTicks <= now / BucketTicks);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CountsMatchTheModelThroughBurstsGapsAndWindowsThatEmpty(int seed)
    {
        var random = new Random(seed);
        var (state, rings) = (new long[20], new long[3 * Buckets]);
        var window = NewWindow(state, rings);
        var events = new List<long>();
        var now = 1_000 * BucketTicks;
        for (var step = 0; step < 5_000; step++)
        {
            // Mostly small steps inside a bucket, sometimes into the next ones, now and then past the whole window.
            now += random.Next(10) switch
            {
                < 6 => random.NextInt64(BucketTicks / 10),
                < 9 => random.NextInt64(3 * BucketTicks),
                _ => random.NextInt64(15 * BucketTicks),
            };
            if (random.Next(3) > 0)
            {
                events.Add(now);
                Assert.Equal(Model(events, now), window.Add(now, BucketTicks));
            }
            else
            {
                Assert.Equal(Model(events, now), window.Sum(now, BucketTicks));
            }
        }

        // Its neighbours in the row are other windows' and feeds' counters: never written.
        Assert.All(state.Take(8).Concat(state.Skip(8 + GroupSlots.PerWindow)), v => Assert.Equal(0, v));
        Assert.All(rings.Take(Buckets).Concat(rings.Skip(2 * Buckets)), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ASnapshotRestoredIntoANewWindowCountsOnTheSame()
    {
        var window = NewWindow();
        var now = 500 * BucketTicks;
        for (var i = 0; i < 30; i++)
        {
            window.Add(now + (i * BucketTicks / 4), BucketTicks);
        }

        var at = now + (30 * BucketTicks / 4);
        var restored = NewWindow();
        restored.Restore(window.Head, window.Snapshot());
        Assert.Equal(window.Sum(at, BucketTicks), restored.Sum(at, BucketTicks));
        Assert.Equal(window.Add(at, BucketTicks), restored.Add(at, BucketTicks));
        Assert.Equal(window.Sum(at + (4 * BucketTicks), BucketTicks), restored.Sum(at + (4 * BucketTicks), BucketTicks));
    }

    [Fact]
    public void AClockThatGoesBackKeepsCountingInTheHeadBucket()
    {
        var window = NewWindow();
        var now = 100 * BucketTicks;
        window.Add(now, BucketTicks);
        Assert.Equal(2, window.Add(now - (5 * BucketTicks), BucketTicks));
        Assert.Equal(3, window.Add(now, BucketTicks));
        Assert.Equal(0, window.Sum(now + (Buckets * BucketTicks), BucketTicks));
    }
}
