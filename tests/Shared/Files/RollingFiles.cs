using K4os.Compression.LZ4.Streams;

namespace Pipeline.Tests.Shared.Files;

/// <summary>The rolling files' lines as the tests read them: every file in name (time) order, every LZ4 frame of each.</summary>
public static class RollingFiles
{
    public static string[] List(string logsDir)
    {
        var files = Directory.Exists(logsDir) ? Directory.GetFiles(logsDir, "*.ndjson.lz4") : [];
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Every line of every file, decompressed with K4os's LZ4 frame decoder, frame after frame.</summary>
    /// <remarks>
    /// K4os 1.3.8's <c>LZ4DecoderStream.Read</c> returns 0 at a frame boundary when the previous <c>Read</c> ended
    /// exactly at the end of a frame's content, and a reader takes that 0 for the end of the file (a
    /// <see cref="StreamReader"/> reads 1 KiB at a time, so any frame whose text is a multiple of 1 KiB cuts the file
    /// short there). So each frame gets a decoder of its own, until the file's end.
    /// </remarks>
    public static List<string> ReadLines(string logsDir)
    {
        var lines = new List<string>();
        foreach (var file in List(logsDir))
        {
            using var input = File.OpenRead(file);
            var text = new MemoryStream();
            while (input.Position < input.Length)
            {
                using var decoder = LZ4Stream.Decode(input, leaveOpen: true);
                decoder.CopyTo(text);
            }

            text.Position = 0;
            using var reader = new StreamReader(text);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
