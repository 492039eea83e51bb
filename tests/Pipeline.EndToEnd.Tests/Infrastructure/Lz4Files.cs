using System.Diagnostics;
using Pipeline.Tests.Shared.Files;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>Reads the rolling files two independent ways: the real <c>lz4cat</c> binary and K4os's decoder.</summary>
public static class Lz4Files
{
    public static string[] List(string logsDir) => RollingFiles.List(logsDir);

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

    /// <summary>Decompresses every file with K4os's LZ4 frame decoder, every frame of it (<see cref="RollingFiles.ReadLines"/>).</summary>
    public static List<string> ReadWithK4os(string logsDir) => RollingFiles.ReadLines(logsDir);
}
