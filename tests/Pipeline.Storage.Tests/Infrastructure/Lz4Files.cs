using System.Diagnostics;
using K4os.Compression.LZ4.Streams;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>Reads the rolling files back, with K4os and with the real <c>lz4cat</c> (Debian package lz4).</summary>
internal static class Lz4Files
{
    /// <summary>The rolling files in <paramref name="directory"/>, sorted by name (which must be time order).</summary>
    public static string[] List(string directory)
    {
        var files = Directory.GetFiles(directory, "pipeline-*.ndjson.lz4");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Decodes one file with K4os; opened with sharing so it works while the sink writes.</summary>
    public static List<string> Decode(string path)
    {
        var lines = new List<string>();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var decoder = LZ4Stream.Decode(file);
        using var reader = new StreamReader(decoder);
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Every line of every file in name order, decoded with K4os.</summary>
    public static List<string> DecodeAll(string directory)
    {
        var lines = new List<string>();
        foreach (var file in List(directory))
        {
            lines.AddRange(Decode(file));
        }

        return lines;
    }

    /// <summary>Runs <c>lz4cat FILE</c>; fails the test when it exits non-zero.</summary>
    public static async Task<List<string>> Lz4CatAsync(string path)
    {
        var (exit, stdout, stderr) = await RunAsync("lz4cat", "--", path);
        Assert.True(exit == 0, $"lz4cat {path} exited {exit}: {stderr}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Runs <c>lz4cat FILE | wc -l</c> (with pipefail, so a broken file fails the test).</summary>
    public static async Task<int> Lz4CatWcAsync(string path)
    {
        var (exit, stdout, stderr) = await RunAsync("bash", "-c", "set -o pipefail; lz4cat -- \"$1\" | wc -l", "lz4cat-wc", path);
        Assert.True(exit == 0, $"lz4cat {path} | wc -l exited {exit}: {stderr}");
        return int.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed: install the Debian package lz4 (./test.sh does).", ex);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(StepGate.Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
