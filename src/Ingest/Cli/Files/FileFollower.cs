using System.Text;
using Pipeline.Storage.Files.Reading;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// <c>pipeline tail --source files</c>: follows the rolling files of a directory like <c>tail -F</c>, from the end of the
/// newest file at the start: each poll indexes the frames written since (a frame being written is left for the next
/// poll), hands each of their lines on, and moves to the next file once the writer has rolled over to it. The files
/// are read shared, as the viewers read them; nothing is written. A frame that does not decode is one warning.
/// </summary>
internal sealed class FileFollower
{
    private readonly string _directory;
    private readonly TimeSpan _poll;
    private readonly TextWriter _error;
    private readonly List<FrameSpan> _frames = [];
    private string? _file;
    private long _offset;
    private bool _started;

    public FileFollower(string directory, TimeSpan poll, TextWriter error)
    {
        _directory = directory;
        _poll = poll;
        _error = error;
    }

    /// <summary>
    /// Takes the starting point, the end of the newest file: what is written after this call is followed. Call it before
    /// saying that the follower is following (<see cref="FollowAsync"/> calls it when it was not).
    /// </summary>
    public void Start()
    {
        var files = RollingFileReader.List(_directory);
        _file = files.Length > 0 ? files[^1] : null;
        _offset = 0;
        if (_file is not null)
        {
            using var start = new RollingFileReader(_file);
            start.Index(_frames, out _offset);
            _frames.Clear();
        }

        _started = true;
    }

    /// <summary>Hands each new line (without its newline) to <paramref name="line"/> until it returns false or the token is cancelled.</summary>
    public async Task FollowAsync(Func<ReadOnlyMemory<byte>, bool> line, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            Start();
        }

        var frames = _frames;
        var file = _file;
        var offset = _offset;
        while (!cancellationToken.IsCancellationRequested)
        {
            var progressed = false;
            if (file is not null && File.Exists(file))
            {
                using var reader = new RollingFileReader(file);
                reader.Index(frames, out var end, offset);
                foreach (var frame in frames)
                {
                    if (!Lines(reader, frame, line))
                    {
                        return;
                    }
                }

                progressed = frames.Count > 0;
                frames.Clear();
                offset = end;
            }

            if (!progressed && Newer(file) is { } next)
            {
                // The writer rolled over (or wrote its first file): the old one has nothing more to come.
                file = next;
                offset = 0;
                continue;
            }

            if (!progressed)
            {
                await Task.Delay(_poll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string? Newer(string? file) =>
        Array.Find(RollingFileReader.List(_directory), f => file is null || string.CompareOrdinal(f, file) > 0);

    private bool Lines(RollingFileReader reader, FrameSpan frame, Func<ReadOnlyMemory<byte>, bool> line)
    {
        byte[] text;
        try
        {
            text = reader.Decode(frame).ToArray(); // the frame's lines outlive the reader's buffer while they are handed on
        }
        catch (InvalidDataException ex)
        {
            _error.WriteLine($"pipeline tail: warning: {reader.Path} has a frame at byte {frame.Offset} that cannot be read ({ex.Message}); skipped it.");
            return true;
        }

        ReadOnlyMemory<byte> rest = text;
        while (!rest.IsEmpty)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var current = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
            if (!current.IsEmpty && !line(current))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>For the start line: what is being followed.</summary>
    public static string Describe(string directory) =>
        new StringBuilder("following ").Append(Path.GetFullPath(directory)).Append(" from its end (Ctrl-C to stop)").ToString();
}
