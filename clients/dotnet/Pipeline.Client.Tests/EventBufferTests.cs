using System.Text;
using Pipeline.Client.Internal;
using Pipeline.Tests.Shared;

namespace Pipeline.Client.Tests;

public sealed class EventBufferTests
{
    private static readonly byte[] Body = """{"ts":1,"level":"INFO","msg":"m"}"""u8.ToArray();

    [Fact]
    public void EachLineStartsWithItsSeqAndEndsWithANewline()
    {
        using var buffer = new EventBuffer(10, 1 << 20, 4096, null, 0);
        Assert.Equal(1, buffer.TryAppend(Body));
        Assert.Equal(2, buffer.TryAppend("{}"u8));
        Assert.True(buffer.TryTakeSlice(out var chunk, out var bytes, out var count, out var resent));
        Assert.Equal("{\"seq\":1,\"ts\":1,\"level\":\"INFO\",\"msg\":\"m\"}\n{\"seq\":2}\n", Encoding.UTF8.GetString(bytes.Span));
        Assert.Equal((2, 0), (count, resent));
        EventBuffer.EndSend(chunk);
        Assert.False(buffer.TryTakeSlice(out _, out _, out _, out _));
    }

    [Fact]
    public void AWithCapacityNTheFirstNAppendsSucceedAndTheNextIsRefused()
    {
        using var buffer = new EventBuffer(3, 1 << 20, 4096, null, 0);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, buffer.TryAppend(Body));
        }

        Assert.Equal(0, buffer.TryAppend(Body));
        Assert.Equal(1, buffer.Acknowledge(1));
        Assert.Equal(4, buffer.TryAppend(Body));
    }

    [Fact]
    public void AnAckFreesEverythingUpToItsSeqAndARewindResendsOnlyTheRest()
    {
        using var buffer = new EventBuffer(100, 1 << 20, 256, null, 0);
        for (var i = 0; i < 20; i++)
        {
            buffer.TryAppend(Body);
        }

        var sent = 0;
        while (buffer.TryTakeSlice(out var chunk, out _, out var count, out _))
        {
            sent += count;
            EventBuffer.EndSend(chunk);
        }

        Assert.Equal(20, sent);
        Assert.Equal(7, buffer.Acknowledge(7));
        Assert.Equal(0, buffer.Acknowledge(7));
        Assert.Equal(8, buffer.HeadSeq);
        buffer.Rewind();
        Assert.True(buffer.TryTakeSlice(out var first, out var bytes, out _, out var resent));
        Assert.StartsWith("{\"seq\":8,", Encoding.UTF8.GetString(bytes.Span), StringComparison.Ordinal);
        Assert.True(resent > 0);
        EventBuffer.EndSend(first);
        Assert.Equal(13, buffer.Acknowledge(100));
        Assert.Equal(0, buffer.Buffered);
    }

    [Fact]
    public void DropOldestTakesTheHeadAndTheSenderSkipsIt()
    {
        using var buffer = new EventBuffer(3, 1 << 20, 4096, null, 0);
        buffer.TryAppend(Body);
        buffer.TryAppend(Body);
        Assert.True(buffer.DropOldest());
        Assert.Equal(2, buffer.HeadSeq);
        Assert.True(buffer.TryTakeSlice(out var chunk, out var bytes, out var count, out _));
        Assert.Equal(1, count);
        Assert.StartsWith("{\"seq\":2,", Encoding.UTF8.GetString(bytes.Span), StringComparison.Ordinal);
        EventBuffer.EndSend(chunk);
    }

    [Fact]
    public void ASliceNeverExceedsTheBatchSize()
    {
        using var buffer = new EventBuffer(1000, 1 << 20, 512, null, 0);
        for (var i = 0; i < 100; i++)
        {
            buffer.TryAppend(Body);
        }

        var total = 0;
        while (buffer.TryTakeSlice(out var chunk, out var bytes, out var count, out _))
        {
            Assert.InRange(bytes.Length, 1, 512);
            Assert.Equal((byte)'\n', bytes.Span[^1]);
            total += count;
            EventBuffer.EndSend(chunk);
        }

        Assert.Equal(100, total);
    }

    [Fact]
    public void SpilledEventsComeBackInSeqOrderAsAcksFreeMemory()
    {
        using var directory = new TempDirectory();
        using var buffer = new EventBuffer(5, 1 << 20, 256, new SpillQueue(directory.Path, "boot"), 1 << 20);
        for (var i = 1; i <= 40; i++)
        {
            Assert.Equal(i, buffer.TryAppend(Body));
        }

        Assert.Equal(5, buffer.Count);
        Assert.Equal(35, buffer.SpilledEvents);
        Assert.NotEmpty(directory.Files("*.ndjson"));
        var next = 1L;
        while (buffer.Buffered > 0)
        {
            Assert.True(buffer.TryTakeSlice(out var chunk, out var bytes, out _, out _), $"nothing to send at seq {next}");
            foreach (var line in Encoding.UTF8.GetString(bytes.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Assert.StartsWith($"{{\"seq\":{next},", line, StringComparison.Ordinal);
                next++;
            }

            EventBuffer.EndSend(chunk);
            buffer.Acknowledge(next - 1);
        }

        Assert.Equal(41, next);
        Assert.Empty(directory.Files("*.ndjson"));
    }
}
