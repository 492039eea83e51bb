namespace Pipeline.Blocks.Hosting;

/// <summary>
/// A part of the service with work at start or stop. The host runs them through one hosted service,
/// in <see cref="LifecycleStage"/> order, so the shutdown order is in code, not in registration order.
/// </summary>
public interface ILifecycleComponent
{
    LifecycleStage Stage { get; }

    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}
