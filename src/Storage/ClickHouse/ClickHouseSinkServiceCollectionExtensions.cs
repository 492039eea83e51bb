using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine;
using Pipeline.Storage.ClickHouse.Patterns;

namespace Pipeline.Storage.ClickHouse;

public static class ClickHouseSinkServiceCollectionExtensions
{
    /// <summary>
    /// The ClickHouse sink, when <see cref="ClickHouseSinkOptions.ConnectionString"/> is set, spooling to
    /// <paramref name="spoolDirectory"/>; with <paramref name="minePatterns"/> also the patterns table writer
    /// (it observes the <see cref="TemplateMiner"/> registered by the pattern-mine block).
    /// </summary>
    public static IServiceCollection AddClickHouseSink(this IServiceCollection services, ClickHouseSinkOptions options, string spoolDirectory, bool minePatterns)
    {
        if (options.ConnectionString is not { Length: > 0 })
        {
            return services;
        }

        services.AddSingleton(sp => new ClickHouseSink(options, spoolDirectory, sp.GetRequiredService<PipelineMetrics>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Sinks.ClickHouse")));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<ClickHouseSink>());
        services.AddLifecycle<ClickHouseSink>();
        if (minePatterns && options.Patterns.Enabled)
        {
            services.AddSingleton(sp => new ClickHousePatternsWriter(sp.GetRequiredService<TemplateMiner>(), options,
                sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Sinks.ClickHouse.Patterns")));
            services.AddLifecycle<ClickHousePatternsWriter>();
        }

        return services;
    }
}
