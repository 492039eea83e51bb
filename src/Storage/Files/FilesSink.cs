using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.Files;

/// <summary>
/// The rolling-files sink: batches are encoded into LZ4 frames in parallel (order kept), then
/// appended by one writer. <c>pipeline_sink_written_events_total{sink="files"}</c> counts a batch
/// only after its frame was handed to the OS. A failing write is retried with backoff, which holds
/// the graph (and so the robots) back instead of dropping; after the last retry the batch is
/// counted as discarded with reason <c>write_failed</c>.
/// </summary>
public sealed class FilesSink : IEventSink, IAsyncDisposable
{
    private readonly FilesSinkOptions _options;
    private readonly RollingFileWriter _writer;
    private readonly TransformBlock<EventBatch, EncodedFrame> _encode;
    private readonly ActionBlock<EncodedFrame> _write;
    private readonly ConcurrentBag<FrameEncoder> _encoders = [];
    private readonly ComponentMetrics _metrics;
    private readonly Prometheus.Counter.Child _written;
    private readonly Prometheus.Counter.Child _bytes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private volatile SinkHealth _health = SinkHealth.Healthy;

    public FilesSink(string directory, FilesSinkOptions options, BlockOptions block, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _writer = new RollingFileWriter(directory, options, time);
        _metrics = metrics.ForComponent(Name);
        _written = metrics.SinkWritten.WithLabels(Name);
        _bytes = metrics.SinkBytes.WithLabels(Name);
        _encode = new TransformBlock<EventBatch, EncodedFrame>(Encode, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = block.BoundedCapacity,
            MaxDegreeOfParallelism = block.MaxDegreeOfParallelism,
            EnsureOrdered = true,
        });
        _write = new ActionBlock<EncodedFrame>(WriteAsync, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = block.BoundedCapacity,
            MaxDegreeOfParallelism = 1,
        });
        _encode.LinkTo(_write, new DataflowLinkOptions { PropagateCompletion = true });
        var depth = metrics.BlockQueueDepth.WithLabels(Name);
        metrics.OnCollect(() => depth.Set(_encode.InputCount + _write.InputCount));
        Completion = CloseWhenDoneAsync();
    }

    public string Name => "files";

    public ITargetBlock<EventBatch> Input => _encode;

    public Task Completion { get; }

    public SinkHealth Health => _health;

    /// <summary>The file being written, if any (for tests and <c>/readyz</c> detail).</summary>
    public string? CurrentPath => _writer.CurrentPath;

    private EncodedFrame Encode(EventBatch batch)
    {
        if (!_encoders.TryTake(out var encoder))
        {
            encoder = new FrameEncoder();
        }

        try
        {
            _metrics.In.Inc(batch.Count);
            return batch.Count == 0 ? default : encoder.Encode(batch);
        }
        finally
        {
            _encoders.Add(encoder);
            batch.Release();
        }
    }

    private async Task WriteAsync(EncodedFrame frame)
    {
        if (frame.Buffer is null)
        {
            return;
        }

        try
        {
            var delay = TimeSpan.FromMilliseconds(100);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    _writer.Write(frame.Buffer.AsSpan(0, frame.Length));
                    _written.Inc(frame.Events);
                    _bytes.Inc(frame.Length);
                    _metrics.Out.Inc(frame.Events);
                    _health = SinkHealth.Healthy;
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _metrics.Error("write");
                    _health = SinkHealth.Failed;
                    FilesLog.WriteFailed(_logger, ex, attempt + 1, _options.WriteRetries);
                    _writer.Close();
                    if (attempt >= _options.WriteRetries)
                    {
                        _metrics.Discarded("write_failed", frame.Events);
                        return;
                    }

                    await Task.Delay(delay, _time).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }
    }

    private async Task CloseWhenDoneAsync()
    {
        try
        {
            await _write.Completion.ConfigureAwait(false);
        }
        finally
        {
            _writer.Close();
            while (_encoders.TryTake(out var encoder))
            {
                encoder.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _encode.Complete();
        await Completion.ConfigureAwait(false);
    }
}
