using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// <see cref="EnrichBlock.Process"/> against a 500-robot registry. Enrich only sets each event's
/// robot, so a batch can be processed again without restoring it. Two batches: gen_events.py's mix
/// (a lookup per event) and one robot's connection (the last-lookup cache hits).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class EnrichBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private EnrichBlock _enrich = null!;
    private EventBatch _fleet = null!;
    private EventBatch _oneRobot = null!;

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new PipelineMetrics();
        _enrich = new EnrichBlock(new StaticFleetRegistrySource(BenchmarkData.Registry()), metrics);
        var parse = new ParseBlock(new ParseOptions(), metrics, new NullDeadLetterSink());
        var pool = new EventBatchPool();
        _fleet = BenchmarkData.Framed(pool, BenchmarkData.FleetNdjson());
        parse.Process(_fleet);
        _oneRobot = BenchmarkData.Framed(pool, BenchmarkData.OneRobotNdjson());
        parse.Process(_oneRobot);

        FleetMix();
        OneRobot();
        if (_fleet.Events[^1].Robot is null || _oneRobot.Events[^1].Robot?.Id != "robot-42")
        {
            throw new InvalidOperationException("Events were not enriched: the benchmark would measure nothing.");
        }
    }

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public void FleetMix() => _enrich.Process(_fleet);

    [Benchmark(OperationsPerInvoke = Events)]
    public void OneRobot() => _enrich.Process(_oneRobot);
}
