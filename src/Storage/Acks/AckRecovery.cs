using System.Text.Json;
using Pipeline.Storage.Files.Reading;

namespace Pipeline.Storage.Acks;

/// <summary>
/// Reads the rolling files written after a snapshot's place and finds the highest <c>attrs.seq</c> per
/// <c>(robot_id, boot_id)</c>: what reached the files before a crash is durable even if its ack never left (a killed
/// process's writes are in the page cache and reach the disk). Lines without <c>boot_id</c> are skipped with one search.
/// A frame cut short by the crash ends the file's scan (its events were never acknowledged and are re-sent).
/// </summary>
internal static class AckRecovery
{
    public const string Pattern = RollingFileReader.Pattern;

    private static ReadOnlySpan<byte> BootIdKey => "\"boot_id\":\""u8;

    /// <summary>
    /// Scans <paramref name="directory"/> from <paramref name="from"/> (null: every file); returns the files and lines
    /// read, and where the files ended (everything before it is accounted for), or null when there are none.
    /// </summary>
    public static (int Files, long Lines, FilePosition? End) Scan(string directory, FilePosition? from, Dictionary<(string Robot, string Boot), long> highest)
    {
        if (!Directory.Exists(directory))
        {
            return (0, 0, from);
        }

        var files = Directory.GetFiles(directory, Pattern);
        Array.Sort(files, StringComparer.Ordinal);
        var scanned = 0;
        long lines = 0;
        var end = from;
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            long offset = 0;
            if (from is { } start)
            {
                var order = string.CompareOrdinal(name, start.File);
                if (order < 0)
                {
                    continue;
                }

                offset = order == 0 ? start.Offset : 0;
            }

            scanned++;
            lines += ScanFile(path, offset, highest, out var length);
            end = new FilePosition(name, length);
        }

        return (scanned, lines, end);
    }

    private static long ScanFile(string path, long offset, Dictionary<(string Robot, string Boot), long> highest, out long length)
    {
        long lines = 0;
        using var reader = new RollingFileReader(path);
        length = reader.Length;
        if (offset > length)
        {
            return 0;
        }

        var frames = new List<FrameSpan>();
        reader.Index(frames, out _, offset); // a frame cut short by a crash ends the list: nothing after it was written whole
        foreach (var frame in frames)
        {
            ReadOnlySpan<byte> text;
            try
            {
                text = reader.Decode(frame);
            }
            catch (InvalidDataException)
            {
                break;
            }

            lines += ScanLines(text, highest);
        }

        return lines;
    }

    private static long ScanLines(ReadOnlySpan<byte> text, Dictionary<(string Robot, string Boot), long> highest)
    {
        long lines = 0;
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? default : text[(end + 1)..];
            lines++;
            if (line.IndexOf(BootIdKey) < 0)
            {
                continue;
            }

            if (Read(line) is { } found && (!highest.TryGetValue((found.Robot, found.Boot), out var seq) || found.Seq > seq))
            {
                highest[(found.Robot, found.Boot)] = found.Seq;
            }
        }

        return lines;
    }

    private static (string Robot, string Boot, long Seq)? Read(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.TryGetProperty("robot_id", out var robot) && robot.ValueKind == JsonValueKind.String &&
                root.TryGetProperty("boot_id", out var boot) && boot.ValueKind == JsonValueKind.String &&
                root.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Object &&
                attrs.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var value) && value > 0)
            {
                return (robot.GetString()!, boot.GetString()!, value);
            }
        }
        catch (JsonException)
        {
            // Not ours to judge here: the line is skipped.
        }

        return null;
    }
}
