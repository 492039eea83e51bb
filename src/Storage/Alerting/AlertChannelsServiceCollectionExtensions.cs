using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.Alerting;

public static class AlertChannelsServiceCollectionExtensions
{
    /// <summary>
    /// The notification channels of <paramref name="options"/> (<c>Pipeline:Alerts:Channels</c>) as the
    /// <see cref="IAlertNotifier"/>, and as <see cref="AlertChannels"/> for <c>pipeline alerts test</c>;
    /// stopped with the sinks. Registered also with no channel configured, so notices to a name are counted.
    /// </summary>
    public static IServiceCollection AddAlertChannels(this IServiceCollection services, AlertChannelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new AlertChannels(options, sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Alerts.Channels")));
        services.AddSingleton<IAlertNotifier>(sp => sp.GetRequiredService<AlertChannels>());
        services.AddLifecycle<AlertChannels>();
        return services;
    }
}
