using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>
/// The real service (<c>dotnet pipeline.dll</c>, copied next to the tests by the project reference) as a child process
/// with its own data directory. Unlike tests/Pipeline.EndToEnd.Tests' PipelineProcess it can start on given ports, so a
/// client keeps its URI across a SIGKILL and a restart on the same data directory, or connects before the service exists.
/// </summary>
public sealed partial class PipelineService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _ownsDataDir;

    private PipelineService(Process process, ServicePorts ports, string dataDir, bool ownsDataDir)
    {
        _process = process;
        Ports = ports;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
    }

    public string DataDir { get; }

    public string LogsDir => Path.Combine(DataDir, "logs");

    public ServicePorts Ports { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts on <paramref name="ports"/> (new free ones by default) and waits until <c>/healthz</c> answers.</summary>
    /// <param name="ports">Ports a client already uses; a child that cannot bind them is retried on the same ports.</param>
    /// <param name="dataDir">A killed service's data directory (a restart); whoever made it keeps owning it.</param>
    public static async Task<PipelineService> StartAsync(ServicePorts? ports = null, string? dataDir = null)
    {
        const int attempts = 5;
        var fixedPorts = ports is not null;
        for (var attempt = 1; ; attempt++)
        {
            var service = Launch(ports ?? ServicePorts.Free(), dataDir);
            if (await service.WaitForHealthyAsync())
            {
                return service;
            }

            var output = service.Output;
            await service.DisposeAsync();
            Assert.True(attempt < attempts, $"pipeline exited during start {attempts} times (ports {(fixedPorts ? "fixed" : "new each time")}). Last output:\n{output}");
        }
    }

    private static PipelineService Launch(ServicePorts ports, string? reuse)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "pipeline.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project must reference src/Ingest.");
        var dataDir = reuse ?? Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Pipeline:DataDir={dataDir}");
        start.ArgumentList.Add($"--Pipeline:Ingest:HttpUrl=http://127.0.0.1:{ports.Http}");
        start.ArgumentList.Add($"--Pipeline:Ingest:TcpEndpoint=127.0.0.1:{ports.Tcp}");
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // The tests count exactly the events the client sent: no connection and presence events.
        start.Environment["Pipeline__Robots__LifecycleEvents"] = "false";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var self = new PipelineService(process, ports, dataDir, ownsDataDir: reuse is null);
        process.OutputDataReceived += (_, e) => self.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => self.OnOutput(e.Data);
        Assert.True(process.Start(), "could not start dotnet");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to save anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for the exit: the files are complete and closed afterwards.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"pipeline did not exit within 60 s of SIGTERM. Output:\n{Output}");
        }

        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownsDataDir)
        {
            DeleteDataDir(DataDir);
        }
    }

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

    private async Task<bool> WaitForHealthyAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_started.Task, exited).WaitAsync(TimeSpan.FromSeconds(60));
        if (first != _started.Task)
        {
            return false;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Ports.Http}/healthz"));
        Assert.True(response.IsSuccessStatusCode, $"/healthz answered {(int)response.StatusCode}. Output:\n{Output}");
        return true;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (StartedLine().IsMatch(line))
        {
            _started.TrySetResult();
        }
    }

    [GeneratedRegex("Application started")]
    private static partial Regex StartedLine();
}
