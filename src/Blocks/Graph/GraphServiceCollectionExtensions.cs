using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Graph;

public static class GraphServiceCollectionExtensions
{
    /// <summary>Adds a processor to the graph at <paramref name="stage"/>.</summary>
    public static IServiceCollection AddProcessor(this IServiceCollection services, GraphStage stage, BlockOptions options,
        Func<IServiceProvider, IBatchProcessor> create)
    {
        services.AddSingleton(new ProcessorRegistration(stage, options, create));
        return services;
    }

    /// <summary>
    /// The graph: every registered processor in <see cref="GraphStage"/> order, then a fan-out to every
    /// registered <see cref="IEventSink"/> in registration order.
    /// </summary>
    public static IServiceCollection AddPipelineGraph(this IServiceCollection services, BlockOptions fanOut)
    {
        services.AddSingleton(sp =>
        {
            var registrations = sp.GetServices<ProcessorRegistration>().ToList();
            var ordered = registrations.Select((r, i) => (r, i)).OrderBy(x => x.r.Stage).ThenBy(x => x.i).Select(x => x.r);
            var processors = ordered.Select(r => (r.Create(sp), r.Options)).ToList();
            return new PipelineGraph(processors, sp.GetServices<IEventSink>().ToList(), fanOut, sp.GetRequiredService<PipelineMetrics>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Graph"));
        });
        return services;
    }
}
