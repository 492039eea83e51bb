using Microsoft.Extensions.Logging;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Files;

/// <summary>
/// The files sink's I/O: appends each LZ4 frame to the rolling file. Handing the frame to the OS is
/// the acknowledgement. A failed write closes the file, so the next attempt opens a fresh one.
/// </summary>
internal sealed class FilesWriter(RollingFileWriter writer, string directory, FilesSinkOptions options, ILogger logger) : IBatchSink
{
    private int _failures;

    public string Name => "files";

    public string Destination => directory;

    public Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            writer.Write(batch.Payload.Span);
            _failures = 0;
            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            writer.Close();
            FilesLog.WriteFailed(logger, ex, ++_failures, options.WriteRetries);
            throw;
        }
    }

    public Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        writer.Close();
        return default;
    }
}
