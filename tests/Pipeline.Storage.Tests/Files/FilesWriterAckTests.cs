using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Acks;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Acks;
using Pipeline.Storage.Files;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;
using Pipeline.Tests.Shared;
using Pipeline.Tests.Shared.Acks;

namespace Pipeline.Storage.Tests.Files;

/// <summary>
/// What an ack promises: the files writer resolves a batch's token only after the fsync that covers its frame, and
/// groups those fsyncs (at most one per <c>AckInterval</c>, the first at once).
/// </summary>
public sealed class FilesWriterAckTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AckRegistry _registry;

    public FilesWriterAckTests()
    {
        _registry = new AckRegistry(new AckOptions { AckInterval = TimeSpan.FromMilliseconds(50) }, Path.Combine(_dir.Path, "acks"), _dir.Path,
            new AckMetrics(_metrics), _time, NullLogger.Instance);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _dir.Dispose();
    }

    private double Fsyncs => _metrics.SinkFsyncs.WithLabels("files").Value;

    private FilesWriter NewWriter() =>
        new(new RollingFileWriter(Path.Combine(_dir.Path, "logs"), new FilesSinkOptions { FsyncInterval = TimeSpan.FromSeconds(1) }, _time),
            _dir.Path, new FilesSinkOptions(), _metrics, _time, NullLogger.Instance, _registry);

    private static AckToken Numbered(AckStream stream, IAckOwner owner, long from, long to)
    {
        AckToken? token = null;
        for (var seq = from; seq <= to; seq++)
        {
            stream.Accept(owner, seq, ref token, 0, out _);
        }

        Assert.True(token!.TryClaim());
        return token;
    }

    [Fact]
    public async Task A_written_batch_is_acknowledged_only_after_the_fsync_that_covers_it()
    {
        var writer = NewWriter();
        var stream = _registry.Open("r1", "b1");
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        // The last fsync was just now (the writer's start): the first ack fsync comes one interval later.
        using (var batch = TextFrame.Of("one\n", Numbered(stream, owner, 1, 3)))
        {
            await writer.WriteAsync(batch, CancellationToken.None);
            Assert.Null(batch.Ack); // the writer holds it now
        }

        Assert.Equal(0, stream.Durable);
        Assert.Empty(owner.Acks);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, Fsyncs);
        Assert.Empty(owner.Acks);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Fsyncs);
        Assert.Equal(3, stream.Durable);
        Assert.Equal([3L], owner.Acks);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task After_a_quiet_interval_the_first_batch_is_synced_at_once_and_the_next_ones_share_one_fsync_and_one_ack()
    {
        var writer = NewWriter();
        var stream = _registry.Open("r1", "b1");
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        _time.Advance(TimeSpan.FromSeconds(2)); // the fsync timer's tick finds nothing to do
        var before = Fsyncs;
        for (var i = 0; i < 5; i++)
        {
            using var batch = TextFrame.Of($"batch {i}\n", Numbered(stream, owner, (i * 10) + 1, (i * 10) + 10));
            await writer.WriteAsync(batch, CancellationToken.None);
        }

        // An interval had passed since the last fsync: the first waiting token asked for one at once.
        Assert.Equal(before + 1, Fsyncs);
        Assert.Equal([10L], owner.Acks);

        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal([10L], owner.Acks);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(before + 2, Fsyncs);
        Assert.Equal([10L, 50L], owner.Acks);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_with_nothing_to_write_is_durable_with_the_next_fsync_in_order_with_the_rest()
    {
        var writer = NewWriter();
        var stream = _registry.Open("r1", "b1");
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        using (var batch = TextFrame.Of("one\n", Numbered(stream, owner, 1, 2)))
        {
            await writer.WriteAsync(batch, CancellationToken.None);
        }

        writer.AwaitSync(Numbered(stream, owner, 3, 4));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(4, stream.Durable);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_fsyncs_and_resolves_what_waits()
    {
        var writer = NewWriter();
        var stream = _registry.Open("r1", "b1");
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        using (var batch = TextFrame.Of("one\n", Numbered(stream, owner, 1, 9)))
        {
            await writer.WriteAsync(batch, CancellationToken.None);
        }

        await writer.DisposeAsync();
        Assert.Equal(9, stream.Durable);
    }
}
