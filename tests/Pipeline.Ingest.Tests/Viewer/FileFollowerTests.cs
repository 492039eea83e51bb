using System.Buffers;
using System.Text;
using K4os.Compression.LZ4.Streams;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>
/// <c>pipeline tail --source files</c> follows from where <see cref="FileFollower.Start"/> stood: a file the service opens
/// after that moment is followed from its first line, even when the following loop only begins later (a busy machine).
/// </summary>
public sealed class FileFollowerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void WriteFile(string name, params string[] lines)
    {
        var frame = new ArrayBufferWriter<byte>();
        LZ4Frame.Encode(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), frame, new LZ4EncoderSettings());
        using var file = new FileStream(Path.Combine(_dir.Path, name), FileMode.Append, FileAccess.Write, FileShare.Read);
        file.Write(frame.WrittenSpan);
    }

    private static async Task<List<string>> FollowAsync(FileFollower follower, int count)
    {
        var seen = new List<string>();
        await follower.FollowAsync(line =>
        {
            seen.Add(Encoding.UTF8.GetString(line.Span));
            return seen.Count < count;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return seen;
    }

    [Fact]
    public async Task AFileOpenedAfterTheStartIsFollowedFromItsFirstLineThoughTheLoopBeganLater()
    {
        WriteFile("pipeline-20261205T000000.000Z-0000.ndjson.lz4", "before");
        var follower = new FileFollower(_dir.Path, TimeSpan.FromMilliseconds(10), TextWriter.Null);
        follower.Start();

        WriteFile("pipeline-20261205T000001.000Z-0000.ndjson.lz4", "one", "two"); // the restarted service's new file

        Assert.Equal(["one", "two"], await FollowAsync(follower, 2));
    }

    [Fact]
    public async Task FramesAppendedToTheNewestFileAfterTheStartAreFollowedAndEarlierOnesAreNot()
    {
        const string name = "pipeline-20261205T000000.000Z-0000.ndjson.lz4";
        WriteFile(name, "before");
        var follower = new FileFollower(_dir.Path, TimeSpan.FromMilliseconds(10), TextWriter.Null);
        follower.Start();

        WriteFile(name, "after");

        Assert.Equal(["after"], await FollowAsync(follower, 1));
    }
}
