using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// <see cref="PatternMineBlock.Process"/> on gen_events.py's fleet mix (the end-to-end benchmark's data),
/// once every template exists: what the block adds per event in the service. The block only sets each
/// event's template, so a batch can be processed again without restoring it.
/// <code>dotnet run -c Release --project perf/Pipeline.Perf -- --filter '*PatternMineBlock*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PatternMineBlockBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private PatternMineBlock _block = null!;
    private EventBatch _fleet = null!;

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new PipelineMetrics();
        _block = new PatternMineBlock(new TemplateMiner(), TimeProvider.System, metrics);
        var parse = new ParseBlock(new ParseOptions(), metrics, new NullDeadLetterSink());
        _fleet = BenchmarkData.Framed(new EventBatchPool(), BenchmarkData.FleetNdjson());
        parse.Process(_fleet);

        FleetMix();
        if (_fleet.Events[^1].TemplateId == 0)
        {
            throw new InvalidOperationException("Events were not tagged: the benchmark would measure nothing.");
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void FleetMix() => _block.Process(_fleet);
}
