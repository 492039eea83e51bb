using System.Text;
using Pipeline.Blocks.Events;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Events;

public sealed class EventBatchTests
{
    private readonly EventBatchPool _pool = SmallPool();

    [Fact]
    public void AppendedSlicesStayValidWhenTheBufferGrows()
    {
        var batch = _pool.Rent();
        var slices = new List<(Slice Slice, string Text)>();
        for (var i = 0; i < 500; i++)
        {
            var text = $"value-{i}-{new string('x', i % 37)}";
            slices.Add((batch.Append(Encoding.UTF8.GetBytes(text)), text));
        }

        foreach (var (slice, text) in slices)
        {
            Assert.Equal(text, Text(batch, slice));
        }

        Assert.Equal(slices.Sum(s => s.Text.Length), batch.DataLength);
    }

    [Fact]
    public void AppendFromCopiesWithinTheBatchEvenWhenTheBufferMoves()
    {
        var batch = _pool.Rent();
        var first = batch.Append("0123456789012345678901234567890123456789012345678901234567890"u8); // fills the 64-byte buffer

        var copy = batch.AppendFrom(first);
        var second = batch.AppendFrom(copy);

        Assert.Equal(Text(batch, first), Text(batch, copy));
        Assert.Equal(Text(batch, first), Text(batch, second));
        Assert.Equal(first.Length * 3, batch.DataLength);
    }

    [Fact]
    public void GetAppendSpanAndAdvanceAppendInPlace()
    {
        var batch = _pool.Rent();
        batch.Append("ab"u8);

        var span = batch.GetAppendSpan(1000);
        Assert.True(span.Length >= 1000);
        "cde"u8.CopyTo(span);
        batch.Advance(3);

        Assert.Equal("abcde", Encoding.UTF8.GetString(batch.Data));
    }

    [Fact]
    public void LinesAndEventsGrowBeyondTheirInitialCapacity()
    {
        var batch = WithLines(_pool, Enumerable.Range(0, 100).Select(i => $"line {i}").ToArray());
        for (var i = 0; i < 100; i++)
        {
            ref var e = ref batch.AddEvent();
            e.Line = i;
            e.Msg = new Slice(batch.Lines[i].Offset, batch.Lines[i].Length);
        }

        Assert.Equal(100, batch.LineCount);
        Assert.Equal(100, batch.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"line {i}", Encoding.UTF8.GetString(batch.GetLine(i)));
            Assert.Equal(i, batch.Events[i].Line);
            Assert.Equal($"line {i}", Text(batch, batch.Events[i].Msg));
        }
    }

    [Fact]
    public void AddEventReturnsAZeroedSlot()
    {
        var batch = _pool.Rent();
        ref var first = ref batch.AddEvent();
        first.Timestamp = 5;
        first.Robot = new RobotInfo("r", "n", "s", "m");
        batch.TruncateEvents(0);

        ref var again = ref batch.AddEvent();

        Assert.Equal(0, again.Timestamp);
        Assert.Null(again.Robot);
    }

    [Fact]
    public void TruncateEventsDropsTheTail()
    {
        var batch = _pool.Rent();
        for (var i = 0; i < 5; i++)
        {
            batch.AddEvent().Line = i;
        }

        batch.TruncateEvents(2);
        Assert.Equal(2, batch.Count);
        Assert.Equal([0, 1], [batch.Events[0].Line, batch.Events[1].Line]);

        batch.TruncateEvents(10); // never grows
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void TheSharedFrameIsEncodedOnceForEverySinkThatAsksAndDroppedWhenTheBatchIsReused()
    {
        var encoder = new CountingFrameEncoder();
        var batch = _pool.Rent();
        batch.Append("abc"u8);

        var first = batch.GetOrEncodeFrame(encoder).ToArray();
        var second = batch.GetOrEncodeFrame(new CountingFrameEncoder()).ToArray(); // another sink's encoder: not called

        Assert.Equal(1, encoder.Calls);
        Assert.Equal(first, second);
        batch.Release();

        var reused = _pool.Rent();
        Assert.Same(batch, reused);
        reused.Append("xy"u8);
        Assert.Equal(2, reused.GetOrEncodeFrame(encoder).Length); // a new frame for the new content
        Assert.Equal(2, encoder.Calls);
        reused.Release();
    }

    [Fact]
    public void ConcurrentSinksGetOneSharedFrame()
    {
        var encoder = new CountingFrameEncoder();
        var batch = _pool.Rent();
        batch.Append("abcdef"u8);

        var frames = new byte[8][];
        Parallel.For(0, frames.Length, i => frames[i] = batch.GetOrEncodeFrame(encoder).ToArray());

        Assert.Equal(1, encoder.Calls);
        Assert.All(frames, f => Assert.Equal(frames[0], f));
        batch.Release();
    }

    /// <summary>A frame of the batch's data length, counting how often it is asked to encode.</summary>
    private sealed class CountingFrameEncoder : IBatchFrameEncoder
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public byte[] EncodeFrame(EventBatch batch, out int length)
        {
            Interlocked.Increment(ref _calls);
            length = batch.DataLength;
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            batch.Data.CopyTo(buffer);
            return buffer;
        }
    }

    [Fact]
    public void ReleaseOfTheOnlyReferenceReturnsTheBatchToThePool()
    {
        var batch = _pool.Rent();
        Assert.Equal(1, batch.References);

        batch.Release();

        Assert.Equal(1, _pool.Retained);
        Assert.Same(batch, _pool.Rent());
    }

    [Fact]
    public void SharedBatchReturnsToThePoolOnlyOnTheLastRelease()
    {
        var batch = _pool.Rent();
        batch.AddReferences(2);

        batch.Release();
        batch.Release();
        Assert.Equal(0, _pool.Retained);

        batch.Release();
        Assert.Equal(1, _pool.Retained);
    }

    [Fact]
    public void ConcurrentReleasesReturnTheBatchExactlyOnce()
    {
        for (var round = 0; round < 200; round++)
        {
            var pool = SmallPool();
            var batch = pool.Rent();
            batch.AddReferences(7);

            Parallel.For(0, 8, _ => batch.Release());

            Assert.Equal(1, pool.Retained);
            Assert.Equal(0, batch.References);
        }
    }

    [Fact]
    public void ReleasingMoreThanReferencedThrows()
    {
        var batch = _pool.Rent();
        batch.AddReferences(1);
        batch.Release();
        batch.Release();

        Assert.Throws<InvalidOperationException>(batch.Release);
        Assert.Equal(1, _pool.Retained);
    }

    [Fact]
    public void RentedBatchStartsEmptyAfterReuse()
    {
        var batch = WithLines(_pool, "a", "b");
        batch.Source = new SourceConnection("tcp", 1, "r", "n");
        batch.InputBytes = 4;
        batch.AddEvent().Robot = new RobotInfo("r", "n", "s", "m");
        batch.Release();

        var reused = _pool.Rent();

        Assert.Same(batch, reused);
        Assert.Equal(0, reused.LineCount);
        Assert.Equal(0, reused.Count);
        Assert.Equal(0, reused.DataLength);
        Assert.Equal(0, reused.InputBytes);
        Assert.Equal(0, reused.ReceivedAt);
        Assert.Same(SourceConnection.Unknown, reused.Source);
        Assert.Equal(1, reused.References);
        Assert.Null(reused.AddEvent().Robot);
    }
}
