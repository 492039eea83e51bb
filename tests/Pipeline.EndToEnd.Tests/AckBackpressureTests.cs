using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Backpressure stays honest: while the graph is held, acks cover only what reached the files, and go on when it moves.</summary>
public sealed class AckBackpressureTests
{
    private const int Events = 2000;

    [Fact]
    public async Task WhileASinkHoldsTheGraphAcksStopShortOfWhatWasSentAndCatchUpWhenItMoves()
    {
        var stalled = new GatedSink("stalled", boundedCapacity: 1, record: false);
        var settings = new Dictionary<string, string> { ["Ingest:BatchMaxEvents"] = "100" };
        foreach (var block in new[] { "Parse", "Redact", "Enrich", "FanOut" })
        {
            settings[$"Blocks:{block}:BoundedCapacity"] = "1";
        }

        await using var pipeline = await TestPipeline.StartAsync(settings, s => s.AddSingleton<IEventSink>(stalled));
        using var client = await pipeline.ConnectTcpAsync();
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"robot_id\":\"r1\",\"boot_id\":\"bp\",\"acks\":true}\n"));
        Assert.Equal(0, await NextAckAsync(reader));

        var text = new StringBuilder();
        for (var seq = 1; seq <= Events; seq++)
        {
            text.Append($"{{\"seq\":{seq},\"level\":\"INFO\",\"msg\":\"held {seq}\"}}\n");
        }

        var writing = stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString())).AsTask();
        await stalled.FirstBatch.WaitAsync(TimeSpan.FromSeconds(30));
        // The files sink got the first batches before the fan-out stuck at the stalled sink: those are acknowledged...
        var held = await NextAckAsync(reader);
        Assert.InRange(held, 1, Events - 1);
        // ...and no ack covers events that did not reach the files.
        Assert.True(held <= pipeline.Metric("pipeline_sink_written_events_total", "files"));

        stalled.Open();
        await writing;
        var last = held;
        while (last < Events)
        {
            last = await NextAckAsync(reader);
        }

        Assert.Equal(Events, last);
    }

    private static async Task<long> NextAckAsync(StreamReader reader)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await reader.ReadLineAsync(limit.Token) ?? throw new IOException("the service closed the connection");
        using var message = JsonDocument.Parse(line);
        Assert.Equal("ack", message.RootElement.GetProperty("type").GetString());
        return message.RootElement.GetProperty("seq").GetInt64();
    }
}
