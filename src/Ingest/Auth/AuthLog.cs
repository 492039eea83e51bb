using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(1, LogLevel.Information, "{Kind} tokens file {Path} loaded: {Count} token(s).")]
    public static partial void TokensLoaded(ILogger logger, string kind, string path, int count);

    [LoggerMessage(2, LogLevel.Error, "{Kind} tokens file {Path} is invalid; the previous {Count} token(s) stay in force: {Error}")]
    public static partial void TokensFileInvalid(ILogger logger, string kind, string path, int count, string error);

    [LoggerMessage(3, LogLevel.Warning, "Security: ops token rejected for {Method} {RequestPath} from {Remote}: {Reason}.")]
    public static partial void OpsTokenRejected(ILogger logger, string method, string requestPath, string remote, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Security: {Remote} is blocked for {BlockFor} after {MaxFailures} failed authentication(s) within {Window} (Pipeline:Auth).")]
    public static partial void AddressBlocked(ILogger logger, string remote, TimeSpan blockFor, int maxFailures, TimeSpan window);

    [LoggerMessage(5, LogLevel.Warning, "Security: robot connection over {Protocol} from {Remote} rejected (robot_id '{RobotId}'): {Reason}.")]
    public static partial void RobotRejected(ILogger logger, string protocol, string remote, string robotId, string reason);
}
