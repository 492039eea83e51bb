using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>
/// The batch limits in config (<c>Ingest:BatchMaxEvents</c>, <c>Ingest:BatchMaxBytes</c>) bound what flows
/// through the graph: block capacities count batches, so memory per block is capacity × batch size.
/// </summary>
public sealed class BatchingTests
{
    private const int Events = 5_000;

    [Fact]
    public async Task BatchesReachingSinksHoldAtMostBatchMaxEventsEvents()
    {
        var probe = new GatedSink("probe", boundedCapacity: 8, open: true, record: false);
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Ingest:BatchMaxEvents"] = "50" },
            s => s.AddSingleton<IEventSink>(probe));

        // One write: the lines arrive together, as they do from a busy robot.
        await pipeline.SendTcpAsync(Ndjson.Events(0, Events));
        await pipeline.StopAsync();

        Assert.Equal(Events, probe.EventCount);
        Assert.True(probe.MaxBatchEvents <= 50, $"a batch held {probe.MaxBatchEvents} events with BatchMaxEvents = 50");
    }

    [Fact]
    public async Task BatchesReachingSinksHoldAtMostBatchMaxBytesOfInput()
    {
        var probe = new GatedSink("probe", boundedCapacity: 8, open: true, record: false);
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Ingest:BatchMaxBytes"] = "4096" },
            s => s.AddSingleton<IEventSink>(probe));

        // Every line is far below both BatchMaxBytes and MaxLineBytes (default 1 MiB).
        await pipeline.SendTcpAsync(Ndjson.Events(0, Events));
        await pipeline.StopAsync();

        Assert.Equal(Events, probe.EventCount);
        Assert.True(probe.MaxBatchInputBytes <= 4096, $"a batch held {probe.MaxBatchInputBytes:N0} bytes of input with BatchMaxBytes = 4096");
    }
}
