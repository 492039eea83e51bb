using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.Acks;

public static class AckServiceCollectionExtensions
{
    /// <summary>
    /// Acknowledged delivery, when <see cref="AckOptions.Enabled"/> and the files sink is on (acks promise the disk):
    /// the registry of robot boots, which the files sink tells about its fsyncs and ingest asks about each hello.
    /// </summary>
    /// <param name="directory">Where the snapshot goes (<c>data/acks</c>).</param>
    /// <param name="filesDirectory">The rolling files, read at start to recover what is durable.</param>
    public static IServiceCollection AddAcks(this IServiceCollection services, AckOptions options, bool filesEnabled, string directory, string filesDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled || !filesEnabled)
        {
            return services;
        }

        services.AddSingleton(sp => new AckMetrics(sp.GetRequiredService<PipelineMetrics>()));
        services.AddSingleton(sp => new AckRegistry(options, directory, filesDirectory, sp.GetRequiredService<AckMetrics>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Acks")));
        services.AddLifecycle<AckRegistry>();
        return services;
    }
}
