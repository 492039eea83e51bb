using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Storage.DeadLetters;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Owns the graph's lifetime. Registered before the web server, so on shutdown it stops after
/// Kestrel: connections are closed first (each flushing its partial batch), then the graph is
/// completed and every sink drains. Nothing accepted is lost.
/// </summary>
internal sealed partial class GraphService : IHostedService
{
    private readonly PipelineGraph _graph;
    private readonly DeadLetterWriter _deadLetters;
    private readonly ILogger<GraphService> _logger;

    public GraphService(PipelineGraph graph, DeadLetterWriter deadLetters, ILogger<GraphService> logger)
    {
        _graph = graph;
        _deadLetters = deadLetters;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started(_logger, _graph.Sinks.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Draining(_logger);
        await _graph.CompleteAsync().ConfigureAwait(false);
        await _deadLetters.DisposeAsync().ConfigureAwait(false);
        Drained(_logger);
    }

    [LoggerMessage(1, LogLevel.Information, "Graph running with {Sinks} sink(s).")]
    private static partial void Started(ILogger logger, int sinks);

    [LoggerMessage(2, LogLevel.Information, "Draining the graph: completing blocks and flushing sinks.")]
    private static partial void Draining(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Graph drained; every accepted event was written.")]
    private static partial void Drained(ILogger logger);
}
