using Pipeline.Blocks.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.Storage.DeadLetters;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Owns the graph's lifetime (<see cref="LifecycleStage.Graph"/>). Kestrel stops first: connections are
/// closed (each flushing its partial batch), then the graph is completed and every sink drains or spools.
/// The last line says what each sink did.
/// </summary>
internal sealed partial class GraphService : ILifecycleComponent
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

    public LifecycleStage Stage => LifecycleStage.Graph;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started(_logger, _graph.Sinks.Count(s => s.IsDestination));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Draining(_logger);
        await _graph.CompleteAsync().ConfigureAwait(false);
        await _deadLetters.DisposeAsync().ConfigureAwait(false);
        var sinks = new List<string>(_graph.Sinks.Count);
        foreach (var sink in _graph.Sinks.Where(s => s.IsDestination))
        {
            sinks.Add($"{sink.Name}: {sink.Summary}");
        }

        Drained(_logger, sinks.Count == 0 ? "no sinks" : string.Join("; ", sinks));
    }

    [LoggerMessage(1, LogLevel.Information, "Graph running with {Sinks} sink(s).")]
    private static partial void Started(ILogger logger, int sinks);

    [LoggerMessage(2, LogLevel.Information, "Draining the graph: completing blocks and flushing sinks.")]
    private static partial void Draining(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Graph drained; {Sinks}.")]
    private static partial void Drained(ILogger logger, string sinks);
}
