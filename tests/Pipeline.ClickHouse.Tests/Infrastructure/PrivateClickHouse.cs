using System.Diagnostics;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>
/// A ClickHouse server of one test's own (scripts/clickhouse-test-server.sh in a temp directory),
/// for tests that kill, restart or start it late. Stopped and deleted on dispose.
/// </summary>
public sealed class PrivateClickHouse : IAsyncDisposable
{
    private PrivateClickHouse(string directory, int httpPort)
    {
        Directory = directory;
        HttpPort = httpPort;
    }

    public string Directory { get; }

    public int HttpPort { get; }

    public string Url => $"http://127.0.0.1:{HttpPort}";

    public ClickHouseServer Client => new(Url);

    /// <summary>Prepares a server on a free port without starting it (for "the server appears later").</summary>
    public static PrivateClickHouse Reserve()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pipeline-clickhouse", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new PrivateClickHouse(directory, FreePort());
    }

    public static async Task<PrivateClickHouse> StartAsync()
    {
        var server = Reserve();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts (or restarts, with the same data and ports) and returns when SELECT 1 answers.</summary>
    public Task StartAgainAsync() => RunScriptAsync("start", Directory, HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGKILL: an outage, as abrupt as they come.</summary>
    public Task KillAsync() => RunScriptAsync("kill", Directory);

    public async ValueTask DisposeAsync()
    {
        // A throw-away server: no need for its graceful (and slower) shutdown.
        await RunScriptAsync("kill", Directory);
        await RunScriptAsync("stop", Directory);
    }

    private static int FreePort()
    {
        // Below the ephemeral range, like the script, and not in use now.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException("No free port for a private ClickHouse server.");
    }

    private static async Task RunScriptAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Script());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"clickhouse-test-server.sh {string.Join(' ', args)} failed: {await error}{await output}");
        }
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "clickhouse-test-server.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("scripts/clickhouse-test-server.sh not found above " + AppContext.BaseDirectory);
    }
}
