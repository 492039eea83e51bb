using Microsoft.Extensions.Hosting;

namespace Pipeline.Perf.Infrastructure;

/// <summary>A host that has started and never stops: the framer's shutdown hook stays quiet.</summary>
internal sealed class RunningLifetime : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted => new(canceled: true);
    public CancellationToken ApplicationStopping => CancellationToken.None;
    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication()
    {
    }
}
