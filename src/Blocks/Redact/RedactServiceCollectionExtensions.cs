using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Redact;

public static class RedactServiceCollectionExtensions
{
    /// <summary>The redact block, right after parse: nothing later sees a secret.</summary>
    public static IServiceCollection AddRedactBlock(this IServiceCollection services, RedactOptions options, BlockOptions block) =>
        services.AddProcessor(GraphStage.Redact, block, sp => new RedactBlock(options, sp.GetRequiredService<PipelineMetrics>()));
}
