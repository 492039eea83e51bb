using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Redact;
using Pipeline.Perf.Infrastructure;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.Perf;

/// <summary>
/// The ClickHouse sink's <see cref="RowBinaryEncoder"/> on a parsed, redacted and enriched batch, the
/// way the sink uses it: batches appended to one pending INSERT, sealed (and its pooled buffer
/// returned) when it holds the sink's default 16 MiB of RowBinary. Plain RowBinary, and RowBinary in
/// ClickHouse's LZ4 blocks (the sink's default body). Steady state allocates nothing per event.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RowBinaryEncoderBenchmarks
{
    private const int Events = BenchmarkData.Events;
    private const long InsertBytes = 16 * 1024 * 1024;

    private readonly RowBinaryEncoder _encoder = new();
    private readonly InsertBuffer _plain = new(PayloadFormat.RowBinary);
    private readonly InsertBuffer _lz4 = new(PayloadFormat.RowBinaryLz4);
    private EventBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchmarkData.Processed();

        using var probe = new InsertBuffer(PayloadFormat.RowBinaryLz4);
        _encoder.Encode(_batch, probe);
        var raw = probe.RawBytes;
        using var insert = probe.Seal();
        // BenchmarkDotNet shows this in its log: the sizes behind the per-event times.
        Console.WriteLine($"// input {_batch.InputBytes} B, RowBinary {raw} B, LZ4 blocks {insert.Length} B " +
                          $"(ratio {(double)raw / insert.Length:F2}) for {insert.Events} events");
    }

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public long RowBinary() => Append(_plain);

    [Benchmark(OperationsPerInvoke = Events)]
    public long RowBinaryLz4() => Append(_lz4);

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _lz4.Dispose();
    }

    private long Append(InsertBuffer buffer)
    {
        _encoder.Encode(_batch, buffer);
        var raw = buffer.RawBytes;
        if (raw >= InsertBytes)
        {
            // What the sink does at its byte limit: the body goes out and its buffer back to the pool.
            buffer.Seal().Dispose();
        }

        return raw;
    }
}
