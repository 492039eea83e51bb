using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The built executable (<c>dotnet pipeline.dll</c>, copied next to the test assembly by the project
/// reference) as a real child process on free loopback ports with its own data directory.
/// </summary>
public sealed partial class PipelineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _http;

    private readonly bool _ownsDataDir;

    private PipelineProcess(Process process, string dataDir, int httpPort, int tcpPort, bool ownsDataDir)
    {
        _process = process;
        _ownsDataDir = ownsDataDir;
        DataDir = dataDir;
        HttpPort = httpPort;
        TcpPort = tcpPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string DataDir { get; }

    public string LogsDir => Path.Combine(DataDir, "logs");

    public int HttpPort { get; }

    public int TcpPort { get; }

    public int Id => _process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far, for failure messages.</summary>
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

    /// <summary>Starts the process and waits until it serves <c>/healthz</c>.</summary>
    /// <remarks>
    /// A port found free can be taken by someone else before the child binds it (tests in this process
    /// open connections in parallel), so a child that exits during start is retried on new ports, a
    /// bounded number of times.
    /// </remarks>
    /// <param name="dataDir">Another process's data directory (a restart); that process keeps owning it. By default a new one.</param>
    /// <param name="ports">Ports clients already use (a restart they keep their address across); a child that cannot bind them is
    /// retried on the same ports. By default new free ones each attempt.</param>
    public static async Task<PipelineProcess> StartAsync(string? dataDir = null, (int Http, int Tcp)? ports = null)
    {
        var attempts = ports is null ? 3 : 5;
        for (var attempt = 1; ; attempt++)
        {
            var process = Launch(dataDir, ports ?? (FreePort(), FreePort()));
            if (await process.WaitForHealthyAsync())
            {
                return process;
            }

            var output = process.Output;
            await process.DisposeAsync();
            Assert.True(attempt < attempts, $"pipeline exited during start {attempts} times (ports {(ports is null ? "new each time" : "fixed")}). Last output:\n{output}");
        }
    }

    private static PipelineProcess Launch(string? reuse, (int Http, int Tcp) ports)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "pipeline.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project must reference src/Ingest.");
        var dataDir = reuse ?? Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var (httpPort, tcpPort) = ports;

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Pipeline:DataDir={dataDir}");
        start.ArgumentList.Add($"--Pipeline:Ingest:HttpUrl=http://127.0.0.1:{httpPort}");
        start.ArgumentList.Add($"--Pipeline:Ingest:TcpEndpoint=127.0.0.1:{tcpPort}");
        // The console lifetime prints "Application started" at Information once every listener is bound.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // These tests count exactly the events they sent: no connection and presence events (a --Pipeline: argument overrides it).
        start.Environment["Pipeline__Robots__LifecycleEvents"] = "false";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var self = new PipelineProcess(process, dataDir, httpPort, tcpPort, ownsDataDir: reuse is null);
        process.OutputDataReceived += (_, e) => self.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => self.OnOutput(e.Data);
        Assert.True(process.Start(), "could not start dotnet");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    /// <summary>A TCP client connected to the ingest port.</summary>
    public async Task<TcpClient> ConnectTcpAsync()
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, TcpPort);
        return client;
    }

    /// <summary>A counter's value as <c>GET /metrics</c> shows it (0 when the series does not exist yet).</summary>
    public async Task<double> MetricAsync(string name, string labels)
    {
        var text = await _http.GetStringAsync("/metrics");
        var prefix = $"{name}{{{labels}}} ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(prefix.Length), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>GET of an HTTP path of the service, its body as text.</summary>
    public Task<string> GetStringAsync(string path) => _http.GetStringAsync(path);

    /// <summary>SIGKILL: the process ends at once, with no chance to save anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as systemd, Docker and Kubernetes do to stop a service.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"pipeline did not exit within {timeout}. Output:\n{Output}");
        }

        // The parameterless overload also waits for the redirected streams to reach their end.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            // Only after a failure: never leave our child running.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_ownsDataDir)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>True once <c>/healthz</c> answers; false if the process exited during start.</summary>
    private async Task<bool> WaitForHealthyAsync()
    {
        // The console lifetime prints "Application started" only once every listener is bound, so after
        // that line (or the process's exit) one request says whether the service answers: no polling.
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_started.Task, exited).WaitAsync(TimeSpan.FromSeconds(60));
        if (first != _started.Task)
        {
            return false;
        }

        using var response = await _http.GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode, $"/healthz answered {(int)response.StatusCode} after the service said it started. Output:\n{Output}");
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

    /// <summary>A free loopback port: bind to port 0, read what the OS picked, release it.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    [GeneratedRegex("Application started")]
    private static partial Regex StartedLine();
}
