using Microsoft.Extensions.Hosting;

namespace Pipeline.Storage.ClickHouse;

/// <summary>
/// Sets the ClickHouse schema up at start, before the graph and the listeners: a table that does
/// not fit stops the service with a message naming the column. Draining is the graph's job.
/// </summary>
public sealed class ClickHouseSinkService(ClickHouseSink sink) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => sink.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
