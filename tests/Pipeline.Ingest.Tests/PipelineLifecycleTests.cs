using Pipeline.Blocks.Hosting;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Ingest.Tests;

public sealed class PipelineLifecycleTests
{
    private readonly List<string> _calls = [];

    [Fact]
    public async Task ComponentsStopIngestFirstThenGraphThenSinksThenStateWhateverTheirRegistrationOrder()
    {
        var lifecycle = new PipelineLifecycle(
        [
            Component("snapshots", LifecycleStage.State),
            Component("clickhouse", LifecycleStage.Sinks),
            Component("anomalies", LifecycleStage.Ingest),
            Component("graph", LifecycleStage.Graph),
            Component("patterns-table", LifecycleStage.Sinks),
        ]);

        await lifecycle.StopAsync(CancellationToken.None);

        Assert.Equal(["stop anomalies", "stop graph", "stop patterns-table", "stop clickhouse", "stop snapshots"], _calls);
    }

    [Fact]
    public async Task ComponentsStartInTheReverseOrderStateFirstAndByRegistrationWithinAStage()
    {
        var lifecycle = new PipelineLifecycle(
        [
            Component("anomalies", LifecycleStage.Ingest),
            Component("clickhouse", LifecycleStage.Sinks),
            Component("graph", LifecycleStage.Graph),
            Component("rabbitmq", LifecycleStage.Sinks),
            Component("snapshots", LifecycleStage.State),
        ]);

        await lifecycle.StartAsync(CancellationToken.None);

        Assert.Equal(["start snapshots", "start clickhouse", "start rabbitmq", "start graph", "start anomalies"], _calls);
    }

    [Fact]
    public async Task AComponentThatFailsToStartStopsTheStartAndTheLaterStagesDoNotStart()
    {
        var lifecycle = new PipelineLifecycle(
        [
            Component("graph", LifecycleStage.Graph),
            Component("clickhouse", LifecycleStage.Sinks, failStart: true),
        ]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => lifecycle.StartAsync(CancellationToken.None));

        Assert.Equal(["start clickhouse"], _calls);
    }

    private Recording Component(string name, LifecycleStage stage, bool failStart = false) => new(name, stage, _calls, failStart);

    private sealed class Recording(string name, LifecycleStage stage, List<string> calls, bool failStart) : ILifecycleComponent
    {
        public LifecycleStage Stage => stage;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            calls.Add("start " + name);
            return failStart ? Task.FromException(new InvalidOperationException("the table does not fit")) : Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            calls.Add("stop " + name);
            return Task.CompletedTask;
        }
    }
}
