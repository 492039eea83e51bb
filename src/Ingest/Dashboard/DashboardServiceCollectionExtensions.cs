using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Ingest.Dashboard;

/// <summary>Registers the dashboard's embedded files (read once, at the first request that needs them).</summary>
internal static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services) => services.AddSingleton<DashboardAssets>();
}
