using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.Spool;
using Pipeline.Tests.Shared;

namespace Pipeline.ClickHouse.Tests.Spool;

public sealed class DiskSpoolTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void RecordsComeBackOldestFirstWithRowsAndFormat()
    {
        using var spool = Open();
        spool.Append(3, 10, Payload("first"));
        spool.Append(1, 20, Payload("second"));

        Assert.Equal(2, spool.PendingRecords);
        Assert.Equal(30, spool.PendingRows);
        var first = Take(spool);
        Assert.Equal(("first", 10, (ushort)3), first);
        var second = Take(spool);
        Assert.Equal(("second", 20, (ushort)1), second);
        Assert.True(spool.IsEmpty);
        Assert.False(spool.TryPeek(out _));
    }

    [Fact]
    public void ARecordStaysUntilItIsAcknowledged()
    {
        using var spool = Open();
        spool.Append(1, 1, Payload("only"));

        Assert.True(spool.TryPeek(out var once));
        once!.Dispose();
        Assert.True(spool.TryPeek(out var again));

        Assert.Equal("only", Encoding.UTF8.GetString(again!.Payload.Span));
        Assert.Equal(1, spool.PendingRecords);
        again.Dispose();
    }

    [Fact]
    public void UnacknowledgedRecordsSurviveAReopen()
    {
        using (var spool = Open())
        {
            spool.Append(1, 5, Payload("a"));
            spool.Append(1, 6, Payload("b"));
            spool.Append(1, 7, Payload("c"));
            Take(spool);
        }

        using var reopened = Open();

        Assert.Equal(2, reopened.PendingRecords);
        Assert.Equal(13, reopened.PendingRows);
        Assert.Equal("b", Take(reopened).Text);
        Assert.Equal("c", Take(reopened).Text);
    }

    [Fact]
    public void SegmentsRollAtTheirSizeAndConsumedSegmentsAreDeletedDownToNone()
    {
        using var spool = Open(segmentBytes: 64 * 1024);
        var big = new string('x', 40 * 1024);
        for (var i = 0; i < 4; i++)
        {
            spool.Append(1, 1, Payload(big + i));
        }

        Assert.Equal(4, _directory.Files("*.spool").Length);
        Take(spool);
        Take(spool);
        Assert.Equal(2, _directory.Files("*.spool").Length);
        Take(spool);
        Take(spool);
        Assert.Empty(_directory.Files("*.spool"));
        Assert.Equal(0, spool.DiskBytes);
    }

    [Fact]
    public void AppendPastMaxBytesFailsWithAClearError()
    {
        using var spool = Open(segmentBytes: 64 * 1024, maxBytes: 100 * 1024);
        spool.Append(1, 1, new byte[60 * 1024]);

        var error = Assert.Throws<SpoolFullException>(() => spool.Append(1, 1, new byte[60 * 1024]));

        Assert.Contains("is full", error.Message, StringComparison.Ordinal);
        Assert.Contains(_directory.Path, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, spool.PendingRecords);
        Take(spool);
        spool.Append(1, 1, new byte[60 * 1024]);
        Assert.Equal(1, spool.PendingRecords);
    }

    [Fact]
    public void ATornLastRecordIsCutOffOnOpen()
    {
        using (var spool = Open())
        {
            spool.Append(1, 1, Payload("whole one"));
            spool.Append(1, 1, Payload("whole two"));
            spool.Append(1, 1, Payload("torn three"));
        }

        var segment = _directory.Files("*.spool")[0];
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 4);
        }

        using var reopened = Open();

        Assert.Equal(2, reopened.PendingRecords);
        Assert.Equal("whole one", Take(reopened).Text);
        Assert.Equal("whole two", Take(reopened).Text);
        reopened.Append(1, 1, Payload("after"));
        Assert.Equal("after", Take(reopened).Text);
    }

    [Fact]
    public void ARecordFailingItsChecksumIsSkippedWithTheRestOfItsSegment()
    {
        using var spool = Open(segmentBytes: 64 * 1024);
        spool.Append(1, 1, Payload(new string('a', 40 * 1024)));
        spool.Append(1, 1, Payload(new string('b', 40 * 1024)));
        var first = _directory.Files("*.spool")[0];
        using (var file = new FileStream(first, FileMode.Open))
        {
            file.Position = DiskSpool.HeaderSize + 100;
            file.WriteByte((byte)'X');
        }

        Assert.True(spool.TryPeek(out var record));

        Assert.Equal(new string('b', 40 * 1024), Encoding.UTF8.GetString(record!.Payload.Span));
        Assert.Equal(1, spool.CorruptRecords);
        record.Dispose();
    }

    [Fact]
    public void OnlyTheOldestRecordCanBeAcknowledged()
    {
        using var spool = Open();
        spool.Append(1, 1, Payload("a"));
        spool.TryPeek(out var a);
        spool.Acknowledge(a!);
        spool.Append(1, 1, Payload("b"));

        Assert.Throws<InvalidOperationException>(() => spool.Acknowledge(a!));
    }

    [Fact]
    public void AppendsWhileReadingKeepOrder()
    {
        using var spool = Open(segmentBytes: 64 * 1024);
        var next = 0;
        var read = new List<int>();
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                spool.Append(1, 1, Payload(next++ + ":" + new string('p', 5000)));
            }

            read.Add(int.Parse(Take(spool).Text.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
        }

        while (!spool.IsEmpty)
        {
            read.Add(int.Parse(Take(spool).Text.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(Enumerable.Range(0, 150), read);
    }

    private DiskSpool Open(long segmentBytes = 1024 * 1024, long maxBytes = 64 * 1024 * 1024) =>
        new(_directory.Path, new DiskSpoolOptions { SegmentBytes = segmentBytes, MaxBytes = maxBytes, Fsync = false }, NullLogger.Instance);

    private static byte[] Payload(string text) => Encoding.UTF8.GetBytes(text);

    private static (string Text, int Rows, ushort Format) Take(DiskSpool spool)
    {
        Assert.True(spool.TryPeek(out var record));
        using (record)
        {
            spool.Acknowledge(record!);
            return (Encoding.UTF8.GetString(record!.Payload.Span), record.Rows, record.Format);
        }
    }
}
