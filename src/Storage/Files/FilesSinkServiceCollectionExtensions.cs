using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.Files;

public static class FilesSinkServiceCollectionExtensions
{
    /// <summary>The rolling-files sink into <paramref name="directory"/>, when <see cref="FilesSinkOptions.Enabled"/>.</summary>
    public static IServiceCollection AddFilesSink(this IServiceCollection services, FilesSinkOptions options, string directory)
    {
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new FilesSink(directory, options, BlockOptions.Of(options.BoundedCapacity, options.MaxDegreeOfParallelism),
            sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Sinks.Files"), sp.GetService<Acks.AckRegistry>()));
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<FilesSink>());
        return services;
    }
}
