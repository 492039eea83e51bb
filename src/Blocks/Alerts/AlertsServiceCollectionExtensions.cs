using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>
    /// The alert block as a fan-out target (an <see cref="IEventSink"/>) and a lifecycle component, when there is
    /// something to do: a rule (configuration or <c>RulesPath</c>) or a route with <c>Channels</c>. Needs an
    /// <see cref="IAlertNotifier"/> registered (the channels); the fleet registry is used when registered.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, AlertsOptions options, IReadOnlyList<RouteOptions> routes,
        BlockOptions block, string directory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(routes);
        if (!options.HasRules && !routes.Any(r => r.Channels.Count > 0))
        {
            return services;
        }

        services.AddSingleton(sp => new AlertBlock(options, routes, block, sp.GetRequiredService<IAlertNotifier>(),
            sp.GetService<IFleetRegistrySource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PipelineMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Alerts"), directory));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<AlertBlock>());
        services.AddLifecycle<AlertBlock>();
        return services;
    }
}
