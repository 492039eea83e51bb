using System.Text;
using K4os.Compression.LZ4.Streams;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Tests.Shared.Files;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>The scan loop itself: what it costs per event.</summary>
public sealed class FileScannerTests(FleetFilesFixture fleet) : IClassFixture<FleetFilesFixture>
{
    [Fact]
    public void ScanningAndCountingAllocatesNothingPerEvent()
    {
        var logs = Path.Combine(fleet.CopyDataDir(), "logs");
        var lines = RollingFiles.ReadLines(logs);
        var small = Write(logs, "pipeline-20260101T000000.000Z-0000.ndjson.lz4", lines, frames: 20);
        var large = Write(logs, "pipeline-20260101T000000.000Z-0001.ndjson.lz4", lines, frames: 80);
        var from = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        Measure(logs, small, new EventFilter("Robot r-2", 1, "nav", "a", from, long.MaxValue)); // warm up: buffers, code paths

        var (smallEvents, smallBytes) = Measure(logs, small, new EventFilter("r-1", -1, null, null, from, long.MaxValue));
        var (largeEvents, largeBytes) = Measure(logs, large, new EventFilter("r-1", -1, null, null, from, long.MaxValue));

        // Four times the events (the service's own lines, in frames of a batch each): what grows is the frame index
        // (16 bytes a frame, in a list that doubles), nothing per event.
        Assert.Equal(4 * smallEvents, largeEvents);
        Assert.True(largeBytes - smallBytes < 64 * (80 - 20),
            $"{smallBytes} bytes for {smallEvents} events, {largeBytes} bytes for {largeEvents} events");
    }

    private static (long Events, long Bytes) Measure(string logs, string file, EventFilter filter)
    {
        var scanner = new FileScanner(logs, "stats", TextWriter.Null, progress: false);
        var stats = new FleetStats(filter);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = scanner.Scan(stats, [file], CancellationToken.None);
        return (summary.Events, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Write(string logs, string name, List<string> lines, int frames)
    {
        var file = Path.Combine(logs, name);
        using var output = File.Create(file);
        for (var frame = 0; frame < frames; frame++)
        {
            var text = new StringBuilder();
            for (var i = 0; i < 100; i++)
            {
                foreach (var line in lines)
                {
                    text.Append(line).Append('\n');
                }
            }

            using var encoder = LZ4Stream.Encode(output, new LZ4EncoderSettings { ContentChecksum = true, BlockSize = 64 * 1024 }, leaveOpen: true);
            encoder.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return file;
    }
}
