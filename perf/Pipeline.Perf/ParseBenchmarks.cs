using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// <see cref="ParseBlock.Process"/> over a framed batch of 1000 gen_events.py-shaped lines. The batch
/// is rewound to its framed state in O(1) before each run (events dropped, appended attributes cut off).
/// <see cref="MaxStringChars"/>: 0 is off; 256 is on with nothing long enough to cut (the cost of
/// looking); 16 cuts most msg values and the long attribute strings (the cost of cutting).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ParseBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private ParseBlock _parse = null!;
    private EventBatch _batch = null!;
    private int _framedLength;

    [Params(0, 16, 256)]
    public int MaxStringChars { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _parse = new ParseBlock(new ParseOptions { MaxStringChars = MaxStringChars }, new PipelineMetrics(), new NullDeadLetterSink());
        _batch = BenchmarkData.Framed(new EventBatchPool(), BenchmarkData.FleetNdjson());
        _framedLength = _batch.DataLength;
        Process();
        if (_batch.Count != Events)
        {
            throw new InvalidOperationException($"Parsed {_batch.Count} of {Events} events.");
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void Process()
    {
        BatchRewind.ToFramed(_batch, _framedLength);
        _parse.Process(_batch);
    }
}
