using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Framing;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// The ingest framing layer alone, garnet-style: the real <see cref="LineFramer"/> reads an in-memory
/// <see cref="Pipe"/> instead of a socket and hands its batches to a graph whose only sink releases
/// them. One long-lived connection, as in production; each invocation writes one batch worth of
/// NDJSON in socket-sized chunks and waits until the sink has the batch.
/// </summary>
/// <remarks>
/// The pipe's schedulers are inline, so the framer runs on the writer's flush: no thread-pool hop per
/// chunk is measured (Kestrel's own transport hop is not the framer's cost). What remains besides the
/// framer is one hand-off per batch through the fan-out's <c>ActionBlock</c>.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FramingBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private byte[] _ndjson = [];
    private Pipe _pipe = null!;
    private ReleasingSink _sink = null!;
    private PipelineGraph _graph = null!;
    private EventBatchPool _pool = null!;
    private NullDeadLetterSink _deadLetters = null!;
    private LineFramer _framer = null!;
    private Task<CloseReason> _running = null!;

    /// <summary>Bytes per write into the pipe: a small socket read, and a large one.</summary>
    [Params(4096, 65536)]
    public int ChunkBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ndjson = BenchmarkData.FleetNdjson();
        var metrics = new PipelineMetrics();
        _sink = new ReleasingSink();
        _graph = new PipelineGraph([], [_sink], BlockOptions.Of(8, 1), metrics, NullLogger.Instance);
        var options = new IngestOptions
        {
            // One invocation = one batch, sent by the event count, never by the flush timer.
            BatchMaxEvents = Events,
            BatchMaxBytes = 1024 * 1024,
            IdleTimeout = TimeSpan.FromHours(1),
        };
        _pool = new EventBatchPool();
        _deadLetters = new NullDeadLetterSink();
        var context = new IngestContext(_graph, _pool, options, metrics, _deadLetters,
            TimeProvider.System, new RunningLifetime(), "bench-node");
        _pipe = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 4 * 1024 * 1024,
            resumeWriterThreshold: 2 * 1024 * 1024,
            useSynchronizationContext: false));
        _framer = new LineFramer(_pipe.Reader, context.NewConnection("tcp", "127.0.0.1:50000"), context);
        _running = _framer.RunAsync(CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask Frame()
    {
        var arrived = _sink.Expect(Events);
        var data = _ndjson.AsMemory();
        var writer = _pipe.Writer;
        for (var offset = 0; offset < data.Length; offset += ChunkBytes)
        {
            await writer.WriteAsync(data.Slice(offset, Math.Min(ChunkBytes, data.Length - offset)));
        }

        await arrived;
    }

    /// <summary>
    /// Only the hand-off the framer ends with: a pooled batch of 1000 line refs sent to the graph and
    /// released by the sink. What <see cref="Frame"/> costs beyond this is the framer's own.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Events)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask HandOffOnly()
    {
        var arrived = _sink.Expect(Events);
        var batch = _pool.Rent();
        for (var i = 0; i < Events; i++)
        {
            batch.AddLine(0, 0);
        }

        if (!await _graph.Input.SendAsync(batch))
        {
            throw new InvalidOperationException("The graph declined a batch.");
        }

        await arrived;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipe.Writer.Complete();
        var reason = _running.GetAwaiter().GetResult();
        _framer.Dispose();
        _graph.CompleteAsync().GetAwaiter().GetResult();
        if (reason != CloseReason.EndOfStream || _sink.Lines % Events != 0 || _deadLetters.Count != 0)
        {
            throw new InvalidOperationException(
                $"Framer ended with {reason} after {_sink.Lines} lines in {_sink.Batches} batches, {_deadLetters.Count} dead letters.");
        }
    }
}
