namespace Pipeline.Storage.Sinks;

/// <summary>
/// A destination's own encoding-free I/O: it sends one encoded <see cref="SinkBatch"/> and returns
/// once the destination acknowledged all of it, or throws. Everything else — the bounded input,
/// retries with backoff and jitter, the disk spool and its ordered replay, health and metrics — is
/// <see cref="SinkRunner"/>'s, written once for every sink (Serilog's rule: a sink only does I/O).
/// </summary>
public interface IBatchSink : IAsyncDisposable
{
    /// <summary>The sink's name in metrics, logs, <c>/readyz</c> and the spool directory (<c>files</c>, <c>clickhouse</c>, <c>rabbitmq</c>).</summary>
    string Name { get; }

    /// <summary>Where the data goes, for log lines (a URL without its password, a directory). Default: <see cref="Name"/>.</summary>
    string Destination => Name;

    /// <summary>
    /// Sends <paramref name="batch"/>; completes when the destination acknowledged every event in it.
    /// Throws <see cref="SinkRejectedException"/> for data the destination will never take (counted,
    /// not retried), <see cref="SinkSetupException"/> when the destination is misconfigured (schema,
    /// permissions), anything else for a failure worth retrying. A sink that made partial progress
    /// may <see cref="SinkBatch.Replace"/> the batch with what is still unacknowledged before it
    /// throws, so a retry or the spool holds only that.
    /// </summary>
    Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Reaches the destination (connects, checks or creates its schema); throws when it cannot.
    /// Called once at start; a replay just writes (the sink reconnects as it needs).
    /// </summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>A failure in one short line for the log (the first line of the innermost message by default).</summary>
    string Describe(Exception error) => SinkErrors.Describe(error);
}
