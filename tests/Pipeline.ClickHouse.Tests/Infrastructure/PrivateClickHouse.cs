using Pipeline.Tests.Shared.Servers;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>
/// A ClickHouse server of one test's own (scripts/clickhouse-test-server.sh in a temp directory),
/// for tests that kill, restart or start it late. Stopped and deleted on dispose.
/// </summary>
public sealed class PrivateClickHouse : IAsyncDisposable
{
    private static readonly ServerScript Script = new("clickhouse");

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

    private static int FreePort() => ServerScript.FreePort();

    private static Task RunScriptAsync(params string[] args) => Script.RunAsync(args);
}
