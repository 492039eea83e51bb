using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;
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
    private readonly MessageTokenizer _tokenizer = new(128, 256);
    private readonly TokenizedMessage _scratch = new();

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

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public void FleetMix() => _block.Process(_fleet);

    /// <summary>The tokenizer's share: splitting and masking the same messages, without matching.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int TokenizeOnly()
    {
        var tokens = 0;
        foreach (ref readonly var e in _fleet.Events)
        {
            _tokenizer.Tokenize(_fleet[e.Msg], _scratch);
            tokens += _scratch.Count;
        }

        return tokens;
    }
}
