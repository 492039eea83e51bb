using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Events the service makes itself (a robot's connection and presence, security) go into the graph's input as
/// NDJSON lines of an internal source, like a robot's: parsed, redacted, enriched and written by every sink.
/// Callers never wait on the graph: lines wait in a bounded queue that one loop drains into batches; a full
/// queue drops the line and counts it (<c>pipeline_component_discarded_events_total{component="internal_events",reason="queue_full"}</c>).
/// Stops with ingest (<see cref="LifecycleStage.Ingest"/>), after the listeners: the last closes still get out.
/// </summary>
internal sealed partial class InternalEventQueue : ILifecycleComponent
{
    /// <summary>Lines waiting for the graph; a reconnect storm of a large fleet fits.</summary>
    internal const int Capacity = 65_536;

    private readonly Channel<byte[]> _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly Func<PipelineGraph> _resolveGraph;
    private readonly EventBatchPool _pool;
    private readonly TimeProvider _time;
    private readonly ComponentMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SourceConnection _source;
    private Task _loop = Task.CompletedTask;

    /// <param name="graph">Resolved at start: the graph's parse block reaches this queue through the robot sessions.</param>
    public InternalEventQueue(Func<PipelineGraph> graph, EventBatchPool pool, TimeProvider time, PipelineMetrics metrics, string nodeName, ILogger logger)
    {
        _resolveGraph = graph;
        _pool = pool;
        _time = time;
        _metrics = metrics.ForComponent("internal_events");
        _logger = logger;
        _source = new SourceConnection("internal", 0, "sessions", nodeName);
    }

    public LifecycleStage Stage => LifecycleStage.Ingest;

    /// <summary>Queues one NDJSON line (without its <c>\n</c>); false when the queue was full (counted).</summary>
    public bool Enqueue(byte[] line)
    {
        _metrics.In.Inc();
        if (_lines.Writer.TryWrite(line))
        {
            return true;
        }

        _metrics.Discarded("queue_full");
        return false;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_resolveGraph());
        return Task.CompletedTask;
    }

    /// <summary>Takes no more lines and hands the queued ones to the graph, which still runs.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _lines.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(PipelineGraph graph)
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = _pool.Rent();
            batch.Source = _source;
            batch.ReceivedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var count = 0;
            while (count < 1024 && reader.TryRead(out var line))
            {
                var slice = batch.Append(line);
                batch.AddLine(slice.Offset, slice.Length);
                count++;
            }

            // Never Post: a full graph makes this loop wait, and the queue take the burst.
            if (await graph.Input.SendAsync(batch).ConfigureAwait(false))
            {
                _metrics.Out.Inc(count);
            }
            else
            {
                batch.Release();
                _metrics.Discarded("shutdown", count);
                GraphClosed(_logger, count);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "{Count} internal event(s) (connections, presence, security) arrived after the graph completed and were not written.")]
    private static partial void GraphClosed(ILogger logger, int count);
}
