using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;
using Pipeline.LoadTests.Generation;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// <see cref="PatternMineBlock.Process"/> on gen_events.py's fleet mix (the end-to-end benchmark's data),
/// once every template exists: what the block adds per event in the service. Each invocation takes the
/// next of 256 different batches (256 000 events), so the exact-message cache sees a stream like the
/// service does (six of gen_events' eight messages take one of 999 values, two take ≈1M), not one batch
/// over and over. <c>MessageCache=false</c> is every message tokenised.
/// <code>dotnet run -c Release --project perf/Pipeline.Perf -- --filter '*PatternMineBlock*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PatternMineBlockBenchmarks
{
    private const int Events = BenchmarkData.Events;
    private const int Batches = 256;

    private readonly MessageTokenizer _tokenizer = new(128, 256);
    private readonly TokenizedMessage _scratch = new();
    private PatternMineBlock _block = null!;
    private EventBatch[] _batches = [];
    private int _next;

    [Params(true, false)]
    public bool MessageCache { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new PipelineMetrics();
        var miner = new TemplateMiner(new PatternMineOptions { MessageCacheSize = MessageCache ? 16_384 : 0 });
        _block = new PatternMineBlock(miner, TimeProvider.System, metrics);
        var parse = new ParseBlock(new ParseOptions(), metrics, new NullDeadLetterSink());
        var pool = new EventBatchPool();
        _batches = new EventBatch[Batches];
        for (var i = 0; i < Batches; i++)
        {
            _batches[i] = BenchmarkData.Framed(pool, EventGenerator.Ndjson(Events, seed: 7 + i));
            parse.Process(_batches[i]);
        }

        // One pass so that every template exists.
        for (var i = 0; i < Batches; i++)
        {
            FleetMix();
        }

        if (_batches[^1].Events[^1].TemplateId == 0 || miner.TemplateCount != 8)
        {
            throw new InvalidOperationException($"Expected gen_events' 8 templates, got {miner.TemplateCount}: the benchmark would measure something else.");
        }
    }

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public void FleetMix()
    {
        _block.Process(_batches[_next]);
        _next = (_next + 1) % Batches;
    }

    /// <summary>The tokenizer's share: splitting and masking one batch's messages, without matching.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int TokenizeOnly()
    {
        var batch = _batches[_next];
        _next = (_next + 1) % Batches;
        var tokens = 0;
        foreach (ref readonly var e in batch.Events)
        {
            _tokenizer.Tokenize(batch[e.Msg], _scratch);
            tokens += _scratch.Count;
        }

        return tokens;
    }
}
