using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Hosting;
using Pipeline.Ingest.Robots;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// The robots sink (<c>RobotsSink.Take</c>) on the processed fleet batch (gen_events' 500 robots, one in eight events a
/// status_update) and on one robot's batch: per event the robot's entry, its hour counters and type counts, the
/// latest status_update per robot, and the last <c>RecentEvents</c> events of each robot copied into its ring.
/// Every robot exists after setup, so this is the steady state, with nothing allocated per event.
/// <code>dotnet run -c Release --project perf/Pipeline.Perf -- --filter '*RobotsSinkBenchmarks*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RobotsSinkBenchmarks
{
    private RobotsSink _sink = null!;
    private EventBatch _batch = null!;

    [Params("fleet", "one-robot")]
    public string Data { get; set; } = "fleet";

    /// <summary>100: the default ring; 0: no ring (counts and status only).</summary>
    [Params(100, 0)]
    public int RecentEvents { get; set; } = 100;

    [GlobalSetup]
    public void Setup()
    {
        var options = new RobotsOptions { RecentEvents = RecentEvents, LifecycleEvents = false };
        var metrics = new PipelineMetrics();
        var time = TimeProvider.System;
        var robotsMetrics = new RobotsMetrics(metrics);
        var queue = new InternalEventQueue(() => throw new InvalidOperationException("not started"), new EventBatchPool(), time, metrics, "bench", NullLogger.Instance);
        var registry = new RobotRegistry(options, new SessionEvents(queue, time, options), new CommandBroker(options, time, robotsMetrics, NullLogger.Instance),
            robotsMetrics, time, NullLogger.Instance, Path.Combine(Path.GetTempPath(), "pipeline-bench-robots-" + Guid.NewGuid().ToString("N")));
        _sink = new RobotsSink(registry, BlockOptions.Of(8, 1), time, metrics);
        _batch = Data == "fleet" ? BenchmarkData.Processed() : OneRobot();
        Take();
    }

    private static EventBatch OneRobot()
    {
        var metrics = new PipelineMetrics();
        var batch = BenchmarkData.Framed(new EventBatchPool(), BenchmarkData.OneRobotNdjson());
        new Pipeline.Blocks.Parse.ParseBlock(new Pipeline.Blocks.Parse.ParseOptions(), metrics, new NullDeadLetterSink()).Process(batch);
        return batch;
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.Events)]
    public void Take() => _sink.Take(_batch);
}
