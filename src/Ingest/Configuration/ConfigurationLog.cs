using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Configuration;

internal static partial class ConfigurationLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Message}")]
    public static partial void Deprecated(ILogger logger, string message);
}
