using System.Diagnostics;
using K4os.Compression.LZ4.Streams;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>Reads the rolling files two independent ways: the real <c>lz4cat</c> binary and K4os's decoder.</summary>
public static class Lz4Files
{
    public static string[] List(string logsDir)
    {
        var files = Directory.Exists(logsDir) ? Directory.GetFiles(logsDir, "*.ndjson.lz4") : [];
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Decompresses every file with <c>lz4cat</c>; fails if it exits non-zero (a corrupt frame).</summary>
    public static async Task<List<string>> ReadWithLz4CatAsync(string logsDir)
    {
        var lines = new List<string>();
        foreach (var file in List(logsDir))
        {
            var start = new ProcessStartInfo("lz4cat")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(process.ExitCode == 0, $"lz4cat {file} exited {process.ExitCode}: {await stderr}");
        }

        return lines;
    }

    /// <summary>Decompresses every file with K4os's LZ4 frame decoder, every frame of it.</summary>
    /// <remarks>
    /// K4os 1.3.8's <c>LZ4DecoderStream.Read</c> returns 0 at a frame boundary when the previous
    /// <c>Read</c> ended exactly at the end of a frame's content, and a reader takes that 0 for the end
    /// of the file (a <see cref="StreamReader"/> reads 1 KiB at a time, so any frame whose text is a
    /// multiple of 1 KiB cuts the file short there). So decode frame after frame until the file's end.
    /// </remarks>
    public static List<string> ReadWithK4os(string logsDir)
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
