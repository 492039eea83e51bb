using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;

namespace Pipeline.Storage.RabbitMq;

public static class RabbitMqSinkServiceCollectionExtensions
{
    /// <summary>
    /// The RabbitMQ sink, when <see cref="RabbitMqSinkOptions.Uri"/> is set, publishing by
    /// <paramref name="routes"/> (<c>Pipeline:Routes</c>) and spooling to <paramref name="spoolDirectory"/>
    /// (<c>&lt;DataDir&gt;/spool/rabbitmq</c>). Needs an <see cref="IDeadLetterSink"/> registered (unroutable messages).
    /// </summary>
    public static IServiceCollection AddRabbitMqSink(this IServiceCollection services, RabbitMqSinkOptions options, IReadOnlyList<RouteOptions>? routes,
        string spoolDirectory)
    {
        if (options.Uri is not { Length: > 0 })
        {
            return services;
        }

        var table = RouteTable.Compile(routes);
        services.AddSingleton(sp => new RabbitMqSinkService(options, table, spoolDirectory, sp.GetRequiredService<IDeadLetterSink>(),
            sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Sinks.RabbitMq")));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<RabbitMqSinkService>());
        services.AddLifecycle<RabbitMqSinkService>();
        return services;
    }
}
