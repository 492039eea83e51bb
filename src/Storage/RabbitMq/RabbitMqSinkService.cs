using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
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
public sealed class RabbitMqSinkService : RunnerSink, ILifecycleComponent
{
    public RabbitMqSinkService(RabbitMqSinkOptions options, RouteTable routes, string spoolDirectory, IDeadLetterSink deadLetters,
        PipelineMetrics metrics, TimeProvider time, ILogger logger)
        : this(new RabbitMqSink(options, routes, deadLetters, logger), options, spoolDirectory, metrics, time, logger)
    {
    }

    private RabbitMqSinkService(RabbitMqSink sink, RabbitMqSinkOptions options, string spoolDirectory, PipelineMetrics metrics, TimeProvider time, ILogger logger)
        : base(new SinkRunner(sink, sink.CreateEncoder, options.ToRunnerOptions(spoolDirectory), metrics, time, logger))
    {
        Sink = sink;
    }

    internal RabbitMqSink Sink { get; }

    public LifecycleStage Stage => LifecycleStage.Sinks;

    public Task StartAsync(CancellationToken cancellationToken) => Runner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

}
