using Microsoft.Extensions.Logging;

namespace Pipeline.Blocks.Graph;

internal static partial class GraphLog
{
    [LoggerMessage(1, LogLevel.Error, "Block {Block} failed on a batch; its events were discarded (reason \"failed\"). Further failures are logged at most every 10 s.")]
    public static partial void ProcessorFailed(ILogger logger, Exception exception, string block);

    [LoggerMessage(2, LogLevel.Error, "Sink {Sink} declined a batch of {Count} events (it has completed or faulted).")]
    public static partial void SinkDeclined(ILogger logger, string sink, int count);
}
