using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Framing;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Tests.Shared;

/// <summary>
/// The real service, in process, on ephemeral loopback ports with its own temporary data directory.
/// Tests talk to it over real sockets and read the real files it writes.
/// </summary>
public sealed class TestPipeline : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<(SourceConnection Source, string Reason)> _closed = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _closedWaiters = [];
    private bool _stopped;

    private TestPipeline(WebApplication app, string dataDir)
    {
        _app = app;
        DataDir = dataDir;
        var context = app.Services.GetRequiredService<IngestContext>();
        context.ConnectionClosed += OnClosed;
    }

    public string DataDir { get; }

    public string LogsDir => Path.Combine(DataDir, "logs");

    public string DeadLetterDir => Path.Combine(DataDir, "deadletter");

    public IPEndPoint Tcp => _app.Services.GetRequiredService<BoundEndpoints>().Tcp;

    public IPEndPoint Http => _app.Services.GetRequiredService<BoundEndpoints>().Http;

    /// <summary>True when the pipeline runs with an https:// <c>HttpUrl</c> (then WebSocket ingest is wss://).</summary>
    public bool Https => _app.Services.GetRequiredService<IngestOptions>().HttpUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public Uri HttpUri => new($"{(Https ? "https" : "http")}://{Http}");

    public Uri WebSocketUri => new($"{(Https ? "wss" : "ws")}://{Http}/ingest");

    public PipelineMetrics Metrics => _app.Services.GetRequiredService<PipelineMetrics>();

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a pipeline; <paramref name="settings"/> are <c>Pipeline:…</c> keys (without the prefix) and values.
    /// <paramref name="dataDir"/>: reuse a directory (a restart); by default a new temporary one.
    /// </summary>
    public static async Task<TestPipeline> StartAsync(
        IDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null,
        string? dataDir = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var args = new List<string>
        {
            $"--Pipeline:DataDir={dataDir}",
            "--Pipeline:Ingest:HttpUrl=http://127.0.0.1:0",
            "--Pipeline:Ingest:TcpEndpoint=127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            // Connection and presence events are off unless a test asks for them (Robots:LifecycleEvents=true): most
            // tests count exactly the events they sent. A later setting of the same key wins.
            "--Pipeline:Robots:LifecycleEvents=false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--Pipeline:{key}={value}");
        }

        WebApplication? app = null;
        try
        {
            app = PipelineHost.Build([.. args], configFile: null, services);
            await app.StartAsync();
            return new TestPipeline(app, dataDir);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    /// <summary>Connects a TCP client to the ingest port.</summary>
    public async Task<TcpClient> ConnectTcpAsync()
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(Tcp);
        return client;
    }

    /// <summary>Sends bytes on a new TCP connection, closes it, and waits until the server has closed its side too.</summary>
    public async Task SendTcpAsync(byte[] payload)
    {
        var before = ClosedCount;
        using (var client = await ConnectTcpAsync())
        {
            var stream = client.GetStream();
            await stream.WriteAsync(payload);
            client.Client.Shutdown(SocketShutdown.Send);
            // Read until the server closes: then every byte we sent was framed and handed on.
            var sink = new byte[256];
            while (await stream.ReadAsync(sink) > 0)
            {
            }
        }

        await WaitForClosedConnectionsAsync(before + 1);
    }

    public int ClosedCount
    {
        get
        {
            lock (_gate)
            {
                return _closed.Count;
            }
        }
    }

    public IReadOnlyList<(SourceConnection Source, string Reason)> ClosedConnections
    {
        get
        {
            lock (_gate)
            {
                return [.. _closed];
            }
        }
    }

    /// <summary>Completes when the server has closed <paramref name="count"/> connections in all.</summary>
    public Task WaitForClosedConnectionsAsync(int count)
    {
        lock (_gate)
        {
            if (_closed.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _closedWaiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Stops like SIGTERM does: stop accepting, drain the graph, flush the sinks.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
    }

    /// <summary>Every line of every rolling file, decompressed (read after <see cref="StopAsync"/>).</summary>
    public List<string> ReadLogLines() => Files.RollingFiles.ReadLines(LogsDir);

    /// <summary>Every dead-letter record (read after <see cref="StopAsync"/>).</summary>
    public List<string> ReadDeadLetters()
    {
        var lines = new List<string>();
        if (!Directory.Exists(DeadLetterDir))
        {
            return lines;
        }

        foreach (var file in Directory.GetFiles(DeadLetterDir, "*.ndjson"))
        {
            lines.AddRange(File.ReadAllLines(file));
        }

        return lines;
    }

    /// <summary>A counter's or gauge's current value by name and labels, as /metrics would show it.</summary>
    public double Metric(string name, params string[] labels)
    {
        var family = name switch
        {
            "pipeline_ingest_events_total" => (Prometheus.Collector)Metrics.IngestEvents,
            "pipeline_ingest_bytes_total" => Metrics.IngestBytes,
            "pipeline_ingest_connections" => Metrics.IngestConnections,
            "pipeline_ingest_connections_rejected_total" => Metrics.IngestConnectionsRejected,
            "pipeline_ingest_connections_closed_total" => Metrics.IngestConnectionsClosed,
            "pipeline_component_events_total" => Metrics.ComponentEvents,
            "pipeline_component_discarded_events_total" => Metrics.ComponentDiscarded,
            "pipeline_component_errors_total" => Metrics.ComponentErrors,
            "pipeline_sink_written_events_total" => Metrics.SinkWritten,
            "pipeline_sink_fsyncs_total" => Metrics.SinkFsyncs,
            "pipeline_deadletter_records_total" => Metrics.DeadLetters,
            _ => throw new ArgumentException($"Unknown metric {name}", nameof(name)),
        };
        return family switch
        {
            Prometheus.Counter c => c.WithLabels(labels).Value,
            Prometheus.Gauge g => g.WithLabels(labels).Value,
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>
    /// A metric without labels as the exposition shows it (the scrape runs the collect callbacks, so
    /// gauges read from live state are current); works after <see cref="StopAsync"/> too.
    /// </summary>
    public async Task<double> ScrapeAsync(string name)
    {
        using var stream = new MemoryStream();
        await Metrics.WriteAsync(stream, CancellationToken.None);
        foreach (var line in System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new ArgumentException($"{name} is not in the exposition", nameof(name));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void OnClosed(SourceConnection source, string reason)
    {
        lock (_gate)
        {
            _closed.Add((source, reason));
            for (var i = _closedWaiters.Count - 1; i >= 0; i--)
            {
                if (_closed.Count >= _closedWaiters[i].Count)
                {
                    _closedWaiters[i].Done.TrySetResult();
                    _closedWaiters.RemoveAt(i);
                }
            }
        }
    }
}
