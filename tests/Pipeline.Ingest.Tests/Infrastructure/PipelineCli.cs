using System.Diagnostics;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>Runs the built <c>pipeline</c> executable (copied next to the test assembly) as a child process.</summary>
public static class PipelineCli
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "pipeline.dll");

    /// <summary>Runs <c>dotnet pipeline.dll args…</c> in <paramref name="workingDirectory"/> and waits (at most a minute).</summary>
    public static async Task<Result> RunAsync(string workingDirectory, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Settings from the environment of whoever runs the tests must not leak into the child.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Pipeline__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pipeline {string.Join(' ', args)} did not exit within a minute.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
