using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Alerts.Tests;

/// <summary>A group's sliding window (a ring of buckets with the head counted inline) against a plain model of it.</summary>
public sealed class AlertWindowTests
{
    private const long BucketTicks = TimeSpan.TicksPerSecond;
    private const int Buckets = 10;

    private static AlertGroup NewGroup() => new([1], 1, "k", [], "f", Buckets);

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
        var group = NewGroup();
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
                Assert.Equal(Model(events, now), group.Add(now, BucketTicks));
            }
            else
            {
                Assert.Equal(Model(events, now), group.Sum(now, BucketTicks));
            }
        }
    }

    [Fact]
    public void ASnapshotRestoredIntoANewGroupCountsOnTheSame()
    {
        var group = NewGroup();
        var now = 500 * BucketTicks;
        for (var i = 0; i < 30; i++)
        {
            group.Add(now + (i * BucketTicks / 4), BucketTicks);
        }

        var at = now + (30 * BucketTicks / 4);
        var restored = NewGroup();
        restored.RestoreBuckets(group.Head, group.SnapshotBuckets(), BucketTicks);
        Assert.Equal(group.Sum(at, BucketTicks), restored.Sum(at, BucketTicks));
        Assert.Equal(group.Add(at, BucketTicks), restored.Add(at, BucketTicks));
        Assert.Equal(group.Sum(at + (4 * BucketTicks), BucketTicks), restored.Sum(at + (4 * BucketTicks), BucketTicks));
    }

    [Fact]
    public void AClockThatGoesBackKeepsCountingInTheHeadBucket()
    {
        var group = NewGroup();
        var now = 100 * BucketTicks;
        group.Add(now, BucketTicks);
        Assert.Equal(2, group.Add(now - (5 * BucketTicks), BucketTicks));
        Assert.Equal(3, group.Add(now, BucketTicks));
        Assert.Equal(0, group.Sum(now + (Buckets * BucketTicks), BucketTicks));
    }
}
