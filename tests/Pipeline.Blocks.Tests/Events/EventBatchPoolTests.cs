using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Tests.Events;

public sealed class EventBatchPoolTests
{
    private static EventBatchPool Pool(int maxRetained = 4, int maxRetainedBytes = 4096, int maxRetainedEvents = 64) => new(new EventBatchPoolOptions
    {
        MaxRetained = maxRetained,
        InitialBytes = 1024,
        InitialEvents = 8,
        MaxRetainedBytes = maxRetainedBytes,
        MaxRetainedEvents = maxRetainedEvents,
    });

    [Fact]
    public void RentReusesAReturnedBatch()
    {
        var pool = Pool();
        var batch = pool.Rent();
        batch.Release();

        var again = pool.Rent();

        Assert.Same(batch, again);
        Assert.Equal(1, pool.Created);
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void RentCreatesWhenThePoolIsEmpty()
    {
        var pool = Pool();

        var a = pool.Rent();
        var b = pool.Rent();

        Assert.NotSame(a, b);
        Assert.Equal(2, pool.Created);
    }

    [Fact]
    public void PoolKeepsAtMostMaxRetainedBatches()
    {
        var pool = Pool(maxRetained: 2);
        var batches = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();

        batches.ForEach(b => b.Release());

        Assert.Equal(2, pool.Retained);
        var rentedAgain = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        Assert.Equal(8, pool.Created); // 5, then 2 reused and 3 new
        Assert.Equal(2, rentedAgain.Count(b => batches.Contains(b)));
    }

    [Fact]
    public void PoolStaysBoundedUnderConcurrentRentAndRelease()
    {
        var pool = Pool(maxRetained: 3);

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var batch = pool.Rent();
            batch.AddReferences(i % 3);
            for (var r = 0; r <= i % 3; r++)
            {
                batch.Release();
            }
        });

        Assert.InRange(pool.Retained, 1, 3);
        Assert.InRange(pool.Created, 1, 2_000);
    }

    [Fact]
    public void BatchThatGrewPastMaxRetainedBytesShrinksWhenReused()
    {
        var pool = Pool(maxRetainedBytes: 4096);
        var batch = pool.Rent();
        batch.Append(new byte[100_000]);
        batch.Release();

        var reused = pool.Rent();

        Assert.Same(batch, reused);
        Assert.InRange(reused.GetAppendSpan(0).Length, 1, 4096);
    }

    [Fact]
    public void BatchThatGrewPastMaxRetainedEventsStillWorksWhenReused()
    {
        var pool = Pool(maxRetainedEvents: 16);
        var batch = pool.Rent();
        for (var i = 0; i < 100; i++)
        {
            batch.AddLine(0, 0);
            batch.AddEvent();
        }

        batch.Release();
        var reused = pool.Rent();
        for (var i = 0; i < 40; i++)
        {
            reused.AddLine(i, 1);
            reused.AddEvent().Line = i;
        }

        Assert.Equal(40, reused.Count);
        Assert.Equal(40, reused.LineCount);
        Assert.Equal(39, reused.Events[39].Line);
    }
}
