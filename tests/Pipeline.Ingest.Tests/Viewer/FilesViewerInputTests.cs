using System.Text;
using K4os.Compression.LZ4.Streams;
using Pipeline.Ingest.Tests.Acks;
using Pipeline.Tests.Shared;
using Pipeline.Tests.Shared.Files;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>The files source against what disks and running services leave: a frame being written, damaged files, no files, and the choice of source.</summary>
public sealed class FilesViewerInputTests(FleetFilesFixture fleet) : IClassFixture<FleetFilesFixture>
{
    private static string Newest(string dataDir) => Directory.GetFiles(Path.Combine(dataDir, "logs"), "pipeline-*.ndjson.lz4").Max(StringComparer.Ordinal)!;

    [Fact]
    public async Task ALastFrameCutShortAsWhileTheServiceWritesIsLeftOutWithoutAWord()
    {
        var dataDir = fleet.CopyDataDir();
        var file = Newest(dataDir);
        var whole = await File.ReadAllBytesAsync(file);
        // The service appends frame after frame: half of one more frame is what a reader can meet mid-write.
        await using (var stream = new FileStream(file, FileMode.Append))
        {
            await stream.WriteAsync(whole.AsMemory(0, whole.Length / 2));
        }

        var run = await ViewerRun.RunAsync("logs", "--data-dir", dataDir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(2 + 7, run.Lines.Length);
    }

    [Fact]
    public async Task ReadingWhileTheServiceRunsShowsWhatIsWrittenAndNoError()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        // Each robot over an acknowledged connection of its own: the ack of its last event says the files hold every
        // one (an ack follows the fsync of the frame that holds it), and the service goes on running while the viewer reads.
        var lines = FleetFilesFixture.Lines(DateTimeOffset.UtcNow).TrimEnd('\n').Split('\n');
        foreach (var robot in FleetFilesFixture.Events.Select(e => e.Robot).Distinct())
        {
            var own = lines.Where((_, i) => FleetFilesFixture.Events[i].Robot == robot).Select((l, i) => $"{{\"seq\":{i + 1},{l[1..]}").ToArray();
            var (peer, _) = await AckPeer.HelloAsync(pipeline, webSocket: false, robot, "boot-" + robot);
            await using (peer)
            {
                await peer.SendAsync(own);
                await peer.WaitForAckAsync(own.Length);
            }
        }

        var run = await ViewerRun.RunAsync("logs", "--data-dir", pipeline.DataDir, "--since", "24h");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(2 + 6, run.Lines.Length); // the fixture's six of the last day
    }

    [Fact]
    public async Task ACorruptFileIsOneWarningNamingItAndTheOtherFilesAreRead()
    {
        var dataDir = fleet.CopyDataDir();
        var good = Newest(dataDir);
        var bad = Path.Combine(Path.GetDirectoryName(good)!, "pipeline-20000101T000000.000Z-0000.ndjson.lz4");
        var bytes = await File.ReadAllBytesAsync(good);
        for (var i = bytes.Length / 3; i < bytes.Length - 8; i += 7)
        {
            bytes[i] ^= 0x5A; // damage inside the frame: blocks and checksum no longer agree
        }

        await File.WriteAllBytesAsync(bad, bytes);
        await File.WriteAllBytesAsync(bad.Replace("0000.ndjson", "0001.ndjson", StringComparison.Ordinal), "not lz4 at all\n"u8.ToArray());

        var run = await ViewerRun.RunAsync("logs", "--data-dir", dataDir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2 + 7, run.Lines.Length);
        var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, errors.Length);
        Assert.Contains("warning", errors[0], StringComparison.Ordinal);
        Assert.Contains("-0001.ndjson.lz4", errors[0], StringComparison.Ordinal);
        Assert.Contains("-0000.ndjson.lz4", errors[1], StringComparison.Ordinal);
        Assert.Contains("2 file(s) could not be read whole", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileTruncatedInsideItsFirstFrameIsNotAnErrorAndAnEmptyFileNeither()
    {
        var dataDir = fleet.CopyDataDir();
        var file = Newest(dataDir);
        var bytes = await File.ReadAllBytesAsync(file);
        var logs = Path.GetDirectoryName(file)!;
        await File.WriteAllBytesAsync(Path.Combine(logs, "pipeline-20000101T000000.000Z-0000.ndjson.lz4"), bytes.AsSpan(0, 9).ToArray());
        await File.WriteAllBytesAsync(Path.Combine(logs, "pipeline-20000101T000000.000Z-0001.ndjson.lz4"), []);

        var run = await ViewerRun.RunAsync("stats", "--since", "7d", "--data-dir", dataDir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(["7", "3", "4", "57.1%"], run.Lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task FramesOfAnotherLz4WriterWithLinkedBlocksAndBlockChecksumsReadTheSame()
    {
        var dataDir = fleet.CopyDataDir();
        var logs = Path.Combine(dataDir, "logs");
        var text = new StringBuilder();
        var lines = RollingFiles.ReadLines(logs);
        for (var i = 0; i < 300; i++)
        {
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }
        }

        foreach (var file in Directory.GetFiles(logs))
        {
            File.Delete(file);
        }

        // As lz4 -B4 -BD -BX writes: 64 KiB blocks that refer back to the ones before, each with its checksum.
        await using (var output = File.Create(Path.Combine(logs, "pipeline-20260101T000000.000Z-0000.ndjson.lz4")))
        await using (var encoder = LZ4Stream.Encode(output, new LZ4EncoderSettings
        {
            ChainBlocks = true, BlockSize = 64 * 1024, BlockChecksum = true, ContentChecksum = true,
        }))
        {
            await encoder.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        }

        var run = await ViewerRun.RunAsync("stats", "--since", "24h", "--data-dir", dataDir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(["1800", "3", "900", "50.0%"], run.Lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AFrameOfAnotherLz4FrameVersionIsAWarningNamingTheFile()
    {
        var dataDir = fleet.CopyDataDir();
        var file = Newest(dataDir);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[4] = (byte)((bytes[4] & 0x3F) | 0x80); // FLG version bits 10: not the frame format this reader knows
        await File.WriteAllBytesAsync(file, bytes);

        var run = await ViewerRun.RunAsync("logs", "--data-dir", dataDir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Lines.Length);
        Assert.Contains($"warning: {file} is not LZ4 frames from byte 0 on", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmptyDataDirectorySaysWhereItLookedAndWhatToDo()
    {
        var empty = Path.Combine(fleet.Root, "empty-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(empty);

        var run = await ViewerRun.RunAsync("logs", "--data-dir", empty);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains(Path.Combine(empty, "logs"), run.Error, StringComparison.Ordinal);
        Assert.Contains("--data-dir", run.Error, StringComparison.Ordinal);
        Assert.Contains("--clickhouse URL", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAConnectionTheFilesUnderPipelineDataDirAreRead()
    {
        var run = await ViewerRun.RunAsync("errors", $"--Pipeline:DataDir={fleet.DataDir}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("3 error event(s) in the last 24 h.", run.Lines[^1]);
    }

    [Fact]
    public async Task WithAConnectionConfiguredClickHouseIsReadUnlessSourceFilesIsGiven()
    {
        string[] configured = ["--Pipeline:Sinks:ClickHouse:ConnectionString=http://127.0.0.1:1", $"--Pipeline:DataDir={fleet.DataDir}"];
        var clickHouse = await ViewerRun.RunAsync(["logs", .. configured]);
        var files = await ViewerRun.RunAsync(["logs", "--source", "files", .. configured]);
        var dataDir = await ViewerRun.RunAsync("logs", "--data-dir", fleet.DataDir, "--Pipeline:Sinks:ClickHouse:ConnectionString=http://127.0.0.1:1");

        Assert.Equal(2, clickHouse.ExitCode);
        Assert.Contains("cannot reach ClickHouse at http://127.0.0.1:1", clickHouse.Error, StringComparison.Ordinal);
        Assert.Equal(0, files.ExitCode);
        Assert.Equal(2 + 7, files.Lines.Length);
        Assert.Equal(0, dataDir.ExitCode);
        Assert.Equal(2 + 7, dataDir.Lines.Length);
    }

    [Theory]
    [InlineData("--source", "clickhouse", "--data-dir", "d", "--data-dir is where the rolling files are")]
    [InlineData("--source", "files", "--clickhouse", "http://127.0.0.1:1", "--clickhouse does not go with --source files")]
    [InlineData("--data-dir", "d", "--clickhouse", "http://127.0.0.1:1", "--clickhouse does not go with --data-dir")]
    public async Task SourceOptionsThatContradictEachOtherExitWith2(string a, string b, string c, string d, string message)
    {
        foreach (var verb in new[] { "logs", "stats", "errors" })
        {
            var run = await ViewerRun.RunAsync(verb, a, b, c, d);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains(message, run.Error, StringComparison.Ordinal);
            Assert.Equal("", run.Output);
        }
    }

    [Fact]
    public async Task AnUnknownSourceExitsWith2NamingTheChoices()
    {
        var run = await ViewerRun.RunAsync("logs", "--source", "kafka");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kafka", run.Error, StringComparison.Ordinal);
        Assert.Contains("files", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourceClickHouseWithoutAConnectionSaysHowToGiveOne()
    {
        var run = await ViewerRun.RunAsync("stats", "--source", "clickhouse");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no ClickHouse connection", run.Error, StringComparison.Ordinal);
    }
}
