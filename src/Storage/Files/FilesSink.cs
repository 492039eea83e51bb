using Microsoft.Extensions.Logging;
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
public sealed class FilesSink : RunnerSink
{
    private readonly RollingFileWriter _writer;

    /// <param name="acks">The acknowledged robot boots, told about every fsync (null: no acks).</param>
    public FilesSink(string directory, FilesSinkOptions options, BlockOptions block, PipelineMetrics metrics, TimeProvider time, ILogger logger,
        Acks.AckRegistry? acks = null)
        : this(new RollingFileWriter(directory, options, time), directory, options, block, metrics, time, logger, acks)
    {
    }

    private FilesSink(RollingFileWriter writer, string directory, FilesSinkOptions options, BlockOptions block, PipelineMetrics metrics, TimeProvider time,
        ILogger logger, Acks.AckRegistry? acks)
        : base(new SinkRunner(new FilesWriter(writer, directory, options, metrics, time, logger, acks), () => new FrameEncoder(), options.ToRunnerOptions(block),
            metrics, time, logger))
    {
        _writer = writer;
    }

    /// <summary>The file being written, if any (for tests and <c>/readyz</c> detail).</summary>
    public string? CurrentPath => _writer.CurrentPath;
}
