using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Ingest.Robots;

public static class RobotsServiceCollectionExtensions
{
    /// <summary>
    /// Robot sessions: the registry (told about control messages by the parse block, as its <see cref="ISessionObserver"/>),
    /// the presence monitor, the command broker, the robots sink at the fan-out, and the internal events queue that
    /// carries lifecycle, security and presence events into the graph.
    /// </summary>
    public static IServiceCollection AddRobots(this IServiceCollection services, RobotsOptions options, BlockOptions block, string directory,
        string nodeName)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new InternalEventQueue(sp.GetRequiredService<PipelineGraph>, sp.GetRequiredService<EventBatchPool>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PipelineMetrics>(), nodeName, Logger(sp)));
        services.AddLifecycle<InternalEventQueue>();
        services.AddSingleton(sp => new RobotsMetrics(sp.GetRequiredService<PipelineMetrics>()));
        services.AddSingleton(sp => new SessionEvents(sp.GetRequiredService<InternalEventQueue>(), sp.GetRequiredService<TimeProvider>(), options));
        services.AddSingleton(sp => new CommandBroker(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RobotsMetrics>(), Logger(sp)));
        services.AddSingleton(sp => new RobotRegistry(options, sp.GetRequiredService<SessionEvents>(), sp.GetRequiredService<CommandBroker>(),
            sp.GetRequiredService<RobotsMetrics>(), sp.GetRequiredService<TimeProvider>(), Logger(sp), directory));
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<RobotRegistry>());
        services.AddSingleton(sp => new PresenceMonitor(sp.GetRequiredService<RobotRegistry>(), sp.GetRequiredService<TimeProvider>(), Logger(sp)));
        services.AddLifecycle<PresenceMonitor>();
        services.AddSingleton(sp => new RobotsSink(sp.GetRequiredService<RobotRegistry>(), block, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<PipelineMetrics>()));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<RobotsSink>());
        return services;
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Robots");
}
