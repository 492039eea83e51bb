using System.Buffers;
using BenchmarkDotNet.Attributes;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.Redact;
using Pipeline.Perf.Infrastructure;
using Pipeline.Storage.Files;

namespace Pipeline.Perf;

/// <summary>
/// The files sink's encoder on a parsed, redacted and enriched batch: <see cref="FrameEncoder.Encode"/>
/// (normalised NDJSON, then one LZ4 frame), and each of the two steps alone.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class EncodeBenchmarks
{
    private const int Events = BenchmarkData.Events;

    // FrameEncoder's settings (private there): fast level, 64 KiB chained blocks, content checksum.
    private static readonly LZ4EncoderSettings Settings = new()
    {
        CompressionLevel = LZ4Level.L00_FAST,
        BlockSize = 64 * 1024,
        ChainBlocks = false,
        ContentChecksum = true,
    };

    private readonly FrameEncoder _encoder = new();
    private readonly EventJsonWriter _json = new();
    private readonly PooledBufferWriter _text = new(512 * 1024);
    private readonly PooledBufferWriter _frame = new(256 * 1024);
    private EventBatch _batch = null!;

    /// <summary>With the pattern-mine block's template id and text on every event (the service's default), or without.</summary>
    [Params(true, false)]
    public bool Templates { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchmarkData.Processed();
        if (Templates)
        {
            new PatternMineBlock(new TemplateMiner(), TimeProvider.System, new PipelineMetrics()).Process(_batch);
        }

        NdjsonOnly();
        var frame = _encoder.Encode(_batch);
        // BenchmarkDotNet shows this in its log: the sizes behind the per-event times.
        Console.WriteLine($"// input {_batch.InputBytes} B, NDJSON {_text.WrittenCount} B, LZ4 frame {frame.Length} B " +
                          $"(ratio {(double)_text.WrittenCount / frame.Length:F2}) for {frame.Events} events");
        ArrayPool<byte>.Shared.Return(frame.Buffer);
    }

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public int Encode()
    {
        var frame = _encoder.Encode(_batch);
        ArrayPool<byte>.Shared.Return(frame.Buffer);
        return frame.Length;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int NdjsonOnly()
    {
        _text.Clear();
        var events = _batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            _json.Write(_batch, ref events[i], _text);
        }

        return _text.WrittenCount;
    }

    /// <summary>The LZ4 frame alone, over the NDJSON that <see cref="NdjsonOnly"/> left (the same call FrameEncoder makes).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int Lz4Only()
    {
        _frame.Clear();
        LZ4Frame.Encode(_text.WrittenSpan, _frame, Settings);
        return _frame.WrittenCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _text.Dispose();
        _frame.Dispose();
    }
}
