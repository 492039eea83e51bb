using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Files;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;
using Pipeline.Tests.Shared;

namespace Pipeline.Storage.Tests.Files;

/// <summary>The files writer's group commit: one fsync per <c>FsyncInterval</c> for all the writes since the last, none when idle.</summary>
public sealed class FilesWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    private double Fsyncs => _metrics.SinkFsyncs.WithLabels("files").Value;

    private FilesWriter NewWriter(FilesSinkOptions options) =>
        new(new RollingFileWriter(_dir.Path, options, _time), _dir.Path, options, _metrics, _time, NullLogger.Instance);

    [Fact]
    public async Task WritesAreFsyncedOncePerIntervalTogetherAndAnIdleFileIsNot()
    {
        var writer = NewWriter(new FilesSinkOptions { FsyncInterval = TimeSpan.FromMilliseconds(50) });
        using (var a = TextFrame.Of("one\n"))
        using (var b = TextFrame.Of("two\n"))
        {
            await writer.WriteAsync(a, CancellationToken.None);
            await writer.WriteAsync(b, CancellationToken.None);
        }

        Assert.Equal(0, Fsyncs);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, Fsyncs); // both writes, one fsync

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, Fsyncs); // nothing written since: nothing to sync

        using (var c = TextFrame.Of("three\n"))
        {
            await writer.WriteAsync(c, CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, Fsyncs);
        await writer.DisposeAsync();
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(Assert.Single(Directory.GetFiles(_dir.Path))));
    }

    [Fact]
    public async Task WithAZeroIntervalOnlyRollAndShutdownSync()
    {
        var writer = NewWriter(new FilesSinkOptions { FsyncInterval = TimeSpan.Zero });
        using (var a = TextFrame.Of("one\n"))
        {
            await writer.WriteAsync(a, CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, Fsyncs);
        await writer.DisposeAsync();
    }
}
