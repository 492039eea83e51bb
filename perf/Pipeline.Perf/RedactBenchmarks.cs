using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Redact;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// <see cref="RedactBlock.Process"/> on a parsed batch with the default keys and patterns. Every
/// generated event has a top-level <c>token</c>, so every event's attributes are rewritten (appended
/// to the batch). Each run first restores the parsed state: the data length, and the event array
/// from a pristine copy (one memcpy, measured on its own by <see cref="RestoreOnly"/>).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RedactBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private RedactBlock _redact = null!;
    private RedactBlock _redactWithPattern = null!;
    private EventBatch _batch = null!;
    private int _parsedLength;
    private EventRecord[] _parsed = [];

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new PipelineMetrics();
        _redact = new RedactBlock(new RedactOptions(), metrics);
        // A typical configured pattern: card-like 16-digit numbers. None occur, so this is the scan cost.
        _redactWithPattern = new RedactBlock(new RedactOptions { Patterns = [@"\b\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b"] }, metrics);
        _batch = BenchmarkData.Framed(new EventBatchPool(), BenchmarkData.FleetNdjson());
        new ParseBlock(new ParseOptions(), metrics, new NullDeadLetterSink()).Process(_batch);
        _parsedLength = _batch.DataLength;
        _parsed = _batch.Events.ToArray();

        Process();
        if (_batch[_batch.Events[0].Attributes].IndexOf("\"token\":\"***\""u8) < 0)
        {
            throw new InvalidOperationException("The token was not redacted: the benchmark would measure nothing.");
        }
    }

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public void Process()
    {
        BatchRewind.ToParsed(_batch, _parsedLength, _parsed);
        _redact.Process(_batch);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void ProcessWithPattern()
    {
        BatchRewind.ToParsed(_batch, _parsedLength, _parsed);
        _redactWithPattern.Process(_batch);
    }

    /// <summary>The restore alone, to subtract from the others.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public void RestoreOnly() => BatchRewind.ToParsed(_batch, _parsedLength, _parsed);
}
