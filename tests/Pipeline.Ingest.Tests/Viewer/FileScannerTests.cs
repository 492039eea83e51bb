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

    [Fact]
    public void AScanStopsAtTheFirstFrameThatArrivedBeforeWhatItStillNeedsAndNotSooner()
    {
        var logs = Path.Combine(fleet.CopyDataDir(), "logs");
        var lines = RollingFiles.ReadLines(logs);
        var now = DateTimeOffset.UtcNow;
        // Older files whose frames arrived two and three days ago (from a robot clock 4 minutes ahead), and the service's own.
        var newest = Directory.GetFiles(logs).Max(StringComparer.Ordinal)!;
        var files = new[]
        {
            Arrived(logs, "pipeline-20000101T000000.000Z-0000.ndjson.lz4", lines, now.AddDays(-3), frames: 1),
            Arrived(logs, "pipeline-20000102T000000.000Z-0000.ndjson.lz4", lines, now.AddDays(-2), frames: 2),
            newest,
        };
        var scanner = new FileScanner(logs, "logs", TextWriter.Null, progress: false);
        FleetStats Since(DateTimeOffset from) => new(new EventFilter(null, -1, null, null, from.ToUnixTimeMilliseconds(), long.MaxValue));

        var top = scanner.Scan(new NewestEvents(new EventFilter(null, -1, null, null, long.MinValue, long.MaxValue), 2), files, CancellationToken.None);
        var recent = Since(now.AddDays(-1));
        var recentScan = scanner.Scan(recent, files, CancellationToken.None);
        var edge = Since(now.AddDays(-2).AddMinutes(2));
        var edgeScan = scanner.Scan(edge, files, CancellationToken.None);
        var all = Since(now.AddDays(-7));
        var allScan = scanner.Scan(all, files, CancellationToken.None);

        // The newest two are in the newest file (6 of its 7 events are of the last day); one frame of the file before shows
        // that everything earlier arrived too early.
        Assert.Equal((2, 14L), (top.Files, top.Events));
        Assert.Equal((2, 14L, 6L), (recentScan.Files, recentScan.Events, recent.Events));
        // 2 minutes after two days ago: the frames that arrived then hold events 4 minutes ahead, within the allowance: found.
        Assert.Equal((3, 28L, 20L), (edgeScan.Files, edgeScan.Events, edge.Events));
        Assert.Equal((3, 28L, 28L), (allScan.Files, allScan.Events, all.Events));
    }

    private static string Arrived(string logs, string name, List<string> lines, DateTimeOffset arrived, int frames)
    {
        var file = Path.Combine(logs, name);
        using var output = File.Create(file);
        for (var frame = 0; frame < frames; frame++)
        {
            var text = new StringBuilder();
            foreach (var line in lines)
            {
                text.Append(Retimed(line, arrived.AddMinutes(4), arrived)).Append('\n');
            }

            using var encoder = LZ4Stream.Encode(output, new LZ4EncoderSettings { ContentChecksum = true }, leaveOpen: true);
            encoder.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return file;
    }

    private static string Retimed(string line, DateTimeOffset ts, DateTimeOffset receivedAt)
    {
        static string Text(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return "{\"ts\":\"" + Text(ts) + "\",\"received_at\":\"" + Text(receivedAt) + line[(line.IndexOf("\",\"level\"", StringComparison.Ordinal))..];
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
