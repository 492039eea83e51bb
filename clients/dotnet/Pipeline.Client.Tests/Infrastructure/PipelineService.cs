using Pipeline.EndToEnd.Tests.Infrastructure;

namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>
/// The real service as a child process — tests/Pipeline.EndToEnd.Tests' <see cref="PipelineProcess"/>, linked in — seen
/// from a client: its URIs, and a restart on the same ports, so a client keeps its URI across a SIGKILL and a restart on
/// the same data directory, or connects before the service exists.
/// </summary>
public sealed class PipelineService : IAsyncDisposable
{
    private readonly PipelineProcess _process;

    private PipelineService(PipelineProcess process)
    {
        _process = process;
        Ports = new ServicePorts(process.HttpPort, process.TcpPort);
    }

    public string DataDir => _process.DataDir;

    public string LogsDir => _process.LogsDir;

    public ServicePorts Ports { get; }

    public string Output => _process.Output;

    /// <summary>Starts on <paramref name="ports"/> (new free ones by default) and waits until <c>/healthz</c> answers.</summary>
    /// <param name="ports">Ports a client already uses; a child that cannot bind them is retried on the same ports.</param>
    /// <param name="dataDir">A killed service's data directory (a restart); whoever made it keeps owning it.</param>
    public static async Task<PipelineService> StartAsync(ServicePorts? ports = null, string? dataDir = null) =>
        new(await PipelineProcess.StartAsync(dataDir, ports is null ? null : (ports.Http, ports.Tcp)));

    /// <summary>SIGKILL: the process ends at once, with no chance to save anything.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM and wait for the exit: the files are complete and closed afterwards.</summary>
    public async Task StopAsync()
    {
        await _process.TerminateAsync();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>A data directory for services that restart on it: no one service owns it; the test deletes it.</summary>
    public static string NewDataDir()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        return dataDir;
    }

    public static void DeleteDataDir(string dataDir)
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
