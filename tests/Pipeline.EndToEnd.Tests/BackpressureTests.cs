using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;
using Xunit.Abstractions;

namespace Pipeline.EndToEnd.Tests;

/// <summary>A stalled sink holds the robots back through TCP flow control; nothing queues up without bound.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class BackpressureTests(ITestOutputHelper output)
{
    private const long Payload = 200L * 1024 * 1024;
    private const int ChunkEvents = 512;
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task StalledSinkBlocksTcpSenderAndBoundsMemoryThenDeliversEverythingSent()
    {
        var stalled = new GatedSink("stalled", boundedCapacity: 1, record: false);
        var settings = new Dictionary<string, string>
        {
            ["Sinks:Files:Enabled"] = "false",
            ["Ingest:BatchMaxBytes"] = "4096",
        };
        foreach (var block in new[] { "Parse", "Redact", "Enrich", "FanOut" })
        {
            settings[$"Blocks:{block}:BoundedCapacity"] = "1";
            settings[$"Blocks:{block}:MaxDegreeOfParallelism"] = "1";
        }

        await using var pipeline = await TestPipeline.StartAsync(settings, s => s.AddSingleton<IEventSink>(stalled));
        try
        {
            var pool = pipeline.Services.GetRequiredService<EventBatchPool>();
            var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

            using var client = await pipeline.ConnectTcpAsync();
            var stream = client.GetStream();
            long written = 0;
            long linesWritten = 0;
            var pending = Task.CompletedTask;
            var blocked = false;
            var seq = 0L;
            var text = new StringBuilder(ChunkEvents * 128);
            var stall = new CancellationTokenSource();
            try
            {
                while (written < Payload)
                {
                    // A chunk of whole lines: whatever was written is complete events only.
                    text.Clear();
                    for (var i = 0; i < ChunkEvents; i++)
                    {
                        Ndjson.AppendEvent(text, seq++);
                    }

                    var chunk = Encoding.UTF8.GetBytes(text.ToString());
                    stall.CancelAfter(StallAfter);
                    pending = stream.WriteAsync(chunk).AsTask();
                    try
                    {
                        // Cancelling only the wait, not the write: the write stays pending and completes later.
                        await pending.WaitAsync(stall.Token);
                    }
                    catch (OperationCanceledException) when (stall.IsCancellationRequested)
                    {
                        blocked = true;
                    }

                    written += chunk.Length;
                    linesWritten += ChunkEvents;
                    if (blocked)
                    {
                        break;
                    }

                    // A write completed: the stall clock starts again for the next one.
                    if (!stall.TryReset())
                    {
                        stall.Dispose();
                        stall = new CancellationTokenSource();
                    }
                }
            }
            finally
            {
                stall.Dispose();
            }

            var memoryGrowth = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
            output.WriteLine($"blocked after {written:N0} bytes ({linesWritten:N0} events); batches created {pool.Created}; managed memory growth {memoryGrowth:N0} bytes");
            Assert.True(blocked, $"the client wrote all {written:N0} bytes: the stalled sink did not slow it down");
            Assert.InRange(written, 1, 64L * 1024 * 1024);
            Assert.Equal(0, stalled.EventCount);
            Assert.True(stalled.FirstBatch.IsCompleted, "the sink never got a batch to hold");

            // Bounded inside: a few batches per block, not one per 4 KiB received.
            Assert.InRange(pool.Created, 1, 63);
            Assert.True(memoryGrowth < 32L * 1024 * 1024, $"managed memory grew by {memoryGrowth:N0} bytes while stalled");

            stalled.Open();
            await pending; // the blocked write goes through once the graph moves again
            client.Client.Shutdown(SocketShutdown.Send);
            var sink = new byte[256];
            while (await stream.ReadAsync(sink) > 0)
            {
            }

            await pipeline.WaitForClosedConnectionsAsync(1);
            await pipeline.StopAsync();

            Assert.Equal(linesWritten, stalled.EventCount);
            Assert.Equal(linesWritten, pipeline.Metric("pipeline_ingest_events_total", "tcp"));
            Assert.InRange(pool.Created, 1, 63);
        }
        finally
        {
            stalled.Open();
        }
    }
}
