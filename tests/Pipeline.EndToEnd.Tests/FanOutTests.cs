using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Fan-out to the files sink and a slow second sink: the slow one sets the pace, neither loses anything.</summary>
public sealed class FanOutTests
{
    private const int Events = 5_000;

    [Fact]
    public async Task SlowSecondSinkAndFilesSinkBothGetEveryEvent()
    {
        var slow = new GatedSink("slow", boundedCapacity: 1);
        // Batches of at most 4 KiB of input (lines under 1 KiB, so a fresh batch's window is 4 KiB too):
        // 5000 events of ~140 B make ~180 batches, far more than every block's capacity together can hold
        // (4 blocks × 8 + the sinks'), so the sender cannot finish while the slow sink is closed.
        var settings = new Dictionary<string, string>
        {
            ["Ingest:BatchMaxBytes"] = "4096",
            ["Ingest:MaxLineBytes"] = "1024",
        };
        await using var pipeline = await TestPipeline.StartAsync(settings, s => s.AddSingleton<IEventSink>(slow));
        try
        {
            var send = pipeline.SendTcpAsync(Ndjson.Events(0, Events));
            await slow.FirstBatch.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(send.IsCompleted, "the sender finished although the slow sink holds the graph back");
            Assert.Equal(0, slow.EventCount);

            slow.Open();
            await send;
            await pipeline.StopAsync();

            Ndjson.AssertEverySeqOnce(Lz4Files.ReadWithK4os(pipeline.LogsDir), Events);
            Ndjson.AssertEverySeqOnce(slow.Lines, Events);
            Assert.Equal(Events, pipeline.Metric("pipeline_sink_written_events_total", "files"));
            Assert.Equal(0, pipeline.Metric("pipeline_component_discarded_events_total", "fanout", "target_declined"));
        }
        finally
        {
            slow.Open();
        }
    }
}
