using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Parse;

public static class ParseServiceCollectionExtensions
{
    /// <summary>The parse block, first in the graph; bad lines go to the registered <see cref="IDeadLetterSink"/>, control messages to the <see cref="Events.ISessionObserver"/> when one is registered.</summary>
    public static IServiceCollection AddParseBlock(this IServiceCollection services, ParseOptions options, BlockOptions block) =>
        services.AddProcessor(GraphStage.Parse, block, sp =>
            new ParseBlock(options, sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<IDeadLetterSink>(),
                sp.GetService<Events.ISessionObserver>()));
}
