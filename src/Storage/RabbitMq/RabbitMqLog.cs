using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.RabbitMq;

internal static partial class RabbitMqLog
{
    [LoggerMessage(1, LogLevel.Information, "RabbitMQ: connected to {Destination}; exchanges declared: {Exchanges}.")]
    public static partial void Connected(ILogger logger, string destination, string exchanges);

    [LoggerMessage(2, LogLevel.Debug, "RabbitMQ: connection to {Destination} torn down ({Reason}); the next write reconnects.")]
    public static partial void TornDown(ILogger logger, string destination, string reason);

    [LoggerMessage(3, LogLevel.Warning, "RabbitMQ: {Messages} message(s) ({Events} events) came back unroutable {Attempts} time(s) (first: exchange '{Exchange}', key '{RoutingKey}'); dead-lettered with reason \"unroutable\".")]
    public static partial void DeadLettered(ILogger logger, int messages, int events, int attempts, string exchange, string routingKey);
}
