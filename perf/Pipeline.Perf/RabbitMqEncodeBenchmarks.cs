using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Redact;
using Pipeline.Blocks.Routes;
using Pipeline.Perf.Infrastructure;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.RabbitMq.Internal;

namespace Pipeline.Perf;

/// <summary>
/// The RabbitMQ sink's encoder on a parsed, redacted and enriched batch of <see cref="BenchmarkData.Events"/>
/// events, default routing key, no routes: Append + Seal per mode. Divide by the event count for ns/event
/// and bytes/event. Publishing (the client's strings and headers) is not measured here.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RabbitMqEncodeBenchmarks
{
    private EventBatch _batch = null!;
    private RabbitMqEncoder _encoder = null!;

    [Params(RabbitMqMode.Event, RabbitMqMode.Batch)]
    public RabbitMqMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchmarkData.Processed();
        _encoder = new RabbitMqEncoder(new RabbitMqRouting(new RabbitMqSinkOptions(), RouteTable.Empty), Mode);
        Encode(); // warm the pooled buffers
    }

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark]
    public int Encode()
    {
        _encoder.Append(_batch);
        using var sealedBatch = _encoder.Seal()!;
        return sealedBatch.Length;
    }
}
