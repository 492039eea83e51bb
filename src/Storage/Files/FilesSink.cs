using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// The rolling-files sink: batches are encoded into LZ4 frames in parallel (order kept), then
/// appended by one writer. <c>pipeline_sink_written_events_total{sink="files"}</c> counts a batch
/// only after its frame was handed to the OS. A failing write is retried with backoff, which holds
/// the graph (and so the robots) back instead of dropping; after the last retry the batch is
/// counted as discarded with reason <c>write_failed</c>. Its own parts are <see cref="FrameEncoder"/>
/// and <see cref="FilesWriter"/>; the rest is the shared <see cref="SinkRunner"/>'s.
/// </summary>
public sealed class FilesSink : IEventSink, IAsyncDisposable
{
    private readonly RollingFileWriter _writer;
    private readonly SinkRunner _runner;

    public FilesSink(string directory, FilesSinkOptions options, BlockOptions block, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _writer = new RollingFileWriter(directory, options, time);
        _runner = new SinkRunner(new FilesWriter(_writer, directory, options, logger), () => new FrameEncoder(), options.ToRunnerOptions(block),
            metrics, time, logger);
    }

    public string Name => _runner.Name;

    public ITargetBlock<EventBatch> Input => _runner.Input;

    public Task Completion => _runner.Completion;

    public SinkHealth Health => _runner.Health;

    public SinkSummary Summary => _runner.Summary;

    /// <summary>The file being written, if any (for tests and <c>/readyz</c> detail).</summary>
    public string? CurrentPath => _writer.CurrentPath;

    public ValueTask DisposeAsync() => _runner.DisposeAsync();
}
