using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Tail;

public static class TailServiceCollectionExtensions
{
    /// <summary>The live tail: its hub as a fan-out target (it sees what the sinks see) and its metrics.</summary>
    public static IServiceCollection AddTail(this IServiceCollection services, TailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new TailMetrics(sp.GetRequiredService<PipelineMetrics>()));
        services.AddSingleton(sp => new TailHub(options, sp.GetRequiredService<TailMetrics>()));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<TailHub>());
        return services;
    }
}
