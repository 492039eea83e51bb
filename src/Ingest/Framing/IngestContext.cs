using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Hosting;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Framing;

/// <summary>What every connection's read loop shares: where batches go and what it counts with.</summary>
internal sealed class IngestContext
{
    private long _nextConnectionId;

    public IngestContext(
        PipelineGraph graph,
        EventBatchPool pool,
        IngestOptions options,
        PipelineMetrics metrics,
        IDeadLetterSink deadLetters,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        string nodeName)
    {
        Target = graph.Input;
        Pool = pool;
        Options = options;
        Metrics = metrics;
        Component = metrics.ForComponent("ingest");
        DeadLetters = deadLetters;
        Time = time;
        Stopping = lifetime.ApplicationStopping;
        NodeName = nodeName;
        Tcp = new ConnectionLimiter("tcp", options.MaxConnections, metrics);
        WebSocket = new ConnectionLimiter("websocket", options.MaxConnections, metrics);
    }

    public ITargetBlock<EventBatch> Target { get; }
    public EventBatchPool Pool { get; }
    public IngestOptions Options { get; }
    public PipelineMetrics Metrics { get; }
    public ComponentMetrics Component { get; }
    public IDeadLetterSink DeadLetters { get; }
    public TimeProvider Time { get; }
    public CancellationToken Stopping { get; }
    public string NodeName { get; }
    public ConnectionLimiter Tcp { get; }
    public ConnectionLimiter WebSocket { get; }

    /// <summary>Acknowledged delivery (hellos that ask for acks, numbered lines); null when no connection may ask (tests).</summary>
    public Acks.AckIngest? Acks { get; init; }

    /// <summary>The robot sessions, told the robot of a connection from its first lines; null when none are kept (tests).</summary>
    public ISessionObserver? Sessions { get; init; }

    /// <summary>Raised after a connection's read loop ended and its last batch was handed on, with the close reason.</summary>
    public event Action<SourceConnection, string>? ConnectionClosed;

    public void OnConnectionClosed(SourceConnection source, string reason)
    {
        source.MarkClosed();
        ConnectionClosed?.Invoke(source, reason);
    }

    /// <param name="robot">The robot the connection belongs to, when known at connect (auth, <c>?robot_id=</c>), or null.</param>
    /// <param name="authenticated">The robot proved it with its token: its events may only carry its robot_id.</param>
    public SourceConnection NewConnection(string protocol, string remote, string? robot = null, bool authenticated = false)
    {
        var source = new SourceConnection(protocol, Interlocked.Increment(ref _nextConnectionId), remote, NodeName)
        {
            AuthenticatedRobot = robot is null || !authenticated ? null
                : System.Text.Json.JsonEncodedText.Encode(robot, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray(),
        };
        if (!string.IsNullOrEmpty(robot))
        {
            source.TryBindRobot(robot);
        }

        return source;
    }
}
