using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Blocks.Hosting;

public static class LifecycleServiceCollectionExtensions
{
    /// <summary>Registers a component (already registered as <typeparamref name="T"/>) to be started and stopped in its stage.</summary>
    public static IServiceCollection AddLifecycle<T>(this IServiceCollection services)
        where T : class, ILifecycleComponent
    {
        services.AddSingleton<ILifecycleComponent>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
