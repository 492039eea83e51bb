using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.Blocks.PatternMine;

public static class PatternMineServiceCollectionExtensions
{
    /// <summary>
    /// The pattern-mine block (after redact), when <see cref="PatternMineOptions.Enabled"/>: the shared
    /// <see cref="TemplateMiner"/> restored from the snapshots in <paramref name="snapshotDirectory"/>, the
    /// snapshot store, and the anomaly detector (an <see cref="IPatternObserver"/>) when anomalies are on.
    /// The block tells every registered <see cref="IPatternObserver"/> (the ClickHouse patterns table registers one).
    /// </summary>
    public static IServiceCollection AddPatternMineBlock(this IServiceCollection services, PatternMineOptions options, string snapshotDirectory, BlockOptions block)
    {
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new PatternSnapshotStore(snapshotDirectory, options.Snapshots,
            sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.PatternMine.Snapshots")));
        services.AddSingleton(sp =>
        {
            // Restored before the graph can send it anything: ids stay stable across restarts.
            var miner = new TemplateMiner(options);
            sp.GetRequiredService<PatternSnapshotStore>().Load(miner);
            return miner;
        });
        if (options.Anomalies.Enabled)
        {
            services.AddSingleton(sp => new PatternAnomalyDetector(sp.GetRequiredService<TemplateMiner>(), options.Anomalies,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PipelineMetrics>()));
            services.AddSingleton<IPatternObserver>(sp => sp.GetRequiredService<PatternAnomalyDetector>());
        }

        return services.AddProcessor(GraphStage.PatternMine, block, sp => new PatternMineBlock(sp.GetRequiredService<TemplateMiner>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PipelineMetrics>(), [.. sp.GetServices<IPatternObserver>()]));
    }
}
