using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Pipeline.Client.Logging;

/// <summary><c>builder.Logging.AddPipeline(o =&gt; { o.Uri = …; o.RobotId = …; })</c>.</summary>
public static class PipelineLoggingBuilderExtensions
{
    /// <summary>
    /// Adds the Pipeline logger with a client of its own, registered as the <see cref="PipelineClient"/> singleton (so
    /// the app can flush it) and closed by the container. The options are validated here, not at the first log.
    /// </summary>
    public static ILoggingBuilder AddPipeline(this ILoggingBuilder builder, Action<PipelineClientOptions> configureClient,
        Action<PipelineLoggerOptions>? configureLogger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureClient);
        var clientOptions = new PipelineClientOptions();
        configureClient(clientOptions);
        clientOptions.Validate();
        var loggerOptions = new PipelineLoggerOptions();
        configureLogger?.Invoke(loggerOptions);
        loggerOptions.Validate();
        builder.Services.TryAddSingleton(_ => new PipelineClient(clientOptions));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, PipelineLoggerProvider>(
            services => new PipelineLoggerProvider(services.GetRequiredService<PipelineClient>(), loggerOptions)));
        return builder;
    }

    /// <summary>Adds the Pipeline logger sending through <paramref name="client"/>, which the caller owns.</summary>
    public static ILoggingBuilder AddPipeline(this ILoggingBuilder builder, PipelineClient client, Action<PipelineLoggerOptions>? configureLogger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        var loggerOptions = new PipelineLoggerOptions();
        configureLogger?.Invoke(loggerOptions);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, PipelineLoggerProvider>(
            _ => new PipelineLoggerProvider(client, loggerOptions)));
        return builder;
    }
}
