using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// The tokens stores (each off when its file is not configured) and the one failure limiter that the
    /// ops API and the robot front ends share.
    /// </summary>
    public static IServiceCollection AddAuth(this IServiceCollection services, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new AuthFailureLimiter(options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RobotTokenStore(options.RobotTokensPath, sp.GetRequiredService<TimeProvider>(), Logger(sp)));
        services.AddSingleton(sp => new OpsTokenStore(options.OpsTokensPath, sp.GetRequiredService<TimeProvider>(), Logger(sp)));
        services.AddSingleton(sp => new RobotAuthenticator(sp.GetRequiredService<RobotTokenStore>(), sp.GetRequiredService<AuthFailureLimiter>(),
            sp.GetRequiredService<Pipeline.Blocks.Metrics.PipelineMetrics>(), Logger(sp), sp.GetService<Robots.SessionEvents>()));
        return services;
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Auth");
}
