using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.RabbitMq;

/// <summary>
/// The RabbitMQ sink in the graph: the <see cref="SinkRunner"/> around <see cref="RabbitMqSink"/> and
/// its encoder. Retries, the spool (<c>data/spool/rabbitmq/</c>) and its ordered replay, health and
/// metrics are the runner's. A broker that is down at start is logged once and the sink spools.
/// </summary>
public sealed class RabbitMqSinkService : IEventSink, ILifecycleComponent, IAsyncDisposable
{
    private readonly SinkRunner _runner;

    public RabbitMqSinkService(RabbitMqSinkOptions options, RouteTable routes, string spoolDirectory, IDeadLetterSink deadLetters,
        PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        Sink = new RabbitMqSink(options, routes, deadLetters, logger);
        _runner = new SinkRunner(Sink, Sink.CreateEncoder, options.ToRunnerOptions(spoolDirectory), metrics, time, logger);
    }

    public string Name => _runner.Name;

    public ITargetBlock<EventBatch> Input => _runner.Input;

    public Task Completion => _runner.Completion;

    public SinkHealth Health => _runner.Health;

    public SinkSummary Summary => _runner.Summary;

    internal RabbitMqSink Sink { get; }

    internal SinkRunner Runner => _runner;

    public LifecycleStage Stage => LifecycleStage.Sinks;

    public Task StartAsync(CancellationToken cancellationToken) => _runner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Completes the input and waits for the runner, which disposes the sink (its connection) when it is done.</summary>
    public ValueTask DisposeAsync() => _runner.DisposeAsync();
}
