using System.Diagnostics;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>Runs the built <c>pipeline</c> executable (copied next to the test assembly) as a child process.</summary>
public static class PipelineCli
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "pipeline.dll");

    /// <summary>Runs <c>dotnet pipeline.dll args…</c> in <paramref name="workingDirectory"/> and waits (at most a minute).</summary>
    public static Task<Result> RunAsync(string workingDirectory, params string[] args) =>
        RunWithAsync(workingDirectory, environment: null, stdin: null, args);

    /// <summary>
    /// As <see cref="RunAsync"/>, with <paramref name="environment"/> variables set for the child and
    /// <paramref name="stdin"/> (when not null) written to its standard input, which is then closed.
    /// </summary>
    public static Task<Result> RunWithAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? stdin, params string[] args) =>
        RunCoreAsync(workingDirectory, environment, stdin, onStdErrLine: null, args);

    /// <summary>As <see cref="RunAsync"/>, handing each line of standard error to <paramref name="onStdErrLine"/> as it comes (a verb that says it is ready).</summary>
    public static Task<Result> RunWatchingAsync(string workingDirectory, Action<string> onStdErrLine, params string[] args) =>
        RunCoreAsync(workingDirectory, environment: null, stdin: null, onStdErrLine, args);

    private static async Task<Result> RunCoreAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? stdin,
        Action<string>? onStdErrLine, string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Settings from the environment of whoever runs the tests must not leak into the child.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Pipeline__", StringComparison.OrdinalIgnoreCase) || k == "PIPELINE_TOKEN").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = onStdErrLine is null ? process.StandardError.ReadToEndAsync() : ReadLinesAsync(process.StandardError, onStdErrLine);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
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

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            onLine(line);
        }

        return all.ToString();
    }
}
