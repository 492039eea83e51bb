using Microsoft.Extensions.Logging;

namespace Pipeline.Blocks.Enrich;

internal static partial class EnrichLog
{
    [LoggerMessage(1, LogLevel.Information, "Fleet registry {Path} loaded: {Count} robots.")]
    public static partial void RegistryLoaded(ILogger logger, string path, int count);

    [LoggerMessage(2, LogLevel.Error, "Fleet registry {Path} could not be reloaded, keeping the previous one: {Reason}")]
    public static partial void RegistryReloadFailed(ILogger logger, string path, string reason);
}
