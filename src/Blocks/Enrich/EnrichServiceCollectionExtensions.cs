using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Enrich;

public static class EnrichServiceCollectionExtensions
{
    /// <summary>The enrich block and its fleet registry (the file at <see cref="EnrichOptions.RegistryPath"/>, reloaded on change, or none).</summary>
    public static IServiceCollection AddEnrichBlock(this IServiceCollection services, EnrichOptions options, BlockOptions block)
    {
        services.AddSingleton<IFleetRegistrySource>(sp => options.RegistryPath is { Length: > 0 } path
            ? new FileFleetRegistrySource(path, options.RegistryPollInterval, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Enrich"))
            : new StaticFleetRegistrySource(FleetRegistry.Empty));
        return services.AddProcessor(GraphStage.Enrich, block, sp =>
            new EnrichBlock(sp.GetRequiredService<IFleetRegistrySource>(), sp.GetRequiredService<PipelineMetrics>()));
    }
}
