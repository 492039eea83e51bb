using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Output;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>
/// The files hold one LZ4 frame per batch. K4os's decoder stream reports a false end of stream when a
/// read ends exactly at the end of a frame's content; these tests build a file with a first frame of
/// exactly 4 KiB of text, followed by a second frame, and check that readers still see every event.
/// </summary>
public sealed class LogFileReadingTests
{
    private const int FirstEvents = 10;
    private const int SecondEvents = 10;

    [Fact]
    public async Task InfrastructureK4osReaderReadsEveryFrameWhenAFrameEndsOnAKibibyteBoundary()
    {
        var (lz4cat, pipeline) = await WriteFileWithAFrameOfExactlyFourKibibytesAsync();
        await using (pipeline)
        {
            Ndjson.AssertEverySeqOnce(lz4cat, FirstEvents + SecondEvents);
            Ndjson.AssertEverySeqOnce(Lz4Files.ReadWithK4os(pipeline.LogsDir), FirstEvents + SecondEvents);
        }
    }

    /// <summary>Documents a bug in tests/Shared/TestPipeline.cs: ReadLogLines stops at such a frame.</summary>
    [Fact]
    public async Task TestPipelineReadLogLinesReadsEveryFrameWhenAFrameEndsOnAKibibyteBoundary()
    {
        var (lz4cat, pipeline) = await WriteFileWithAFrameOfExactlyFourKibibytesAsync();
        await using (pipeline)
        {
            Ndjson.AssertEverySeqOnce(lz4cat, FirstEvents + SecondEvents);
            Ndjson.AssertEverySeqOnce(pipeline.ReadLogLines(), FirstEvents + SecondEvents);
        }
    }

    /// <summary>
    /// Sends a first connection's events sized so that their normalised lines are exactly 4096 bytes
    /// (one batch, so one frame), then a second connection's; stops; returns what <c>lz4cat</c> reads.
    /// </summary>
    private static async Task<(List<string> Lz4Cat, TestPipeline Pipeline)> WriteFileWithAFrameOfExactlyFourKibibytesAsync()
    {
        var probe = new GatedSink("probe", boundedCapacity: 8, open: true, record: true);
        var pipeline = await TestPipeline.StartAsync(
            // Without templates the line size is computed from the input alone.
            new Dictionary<string, string> { ["Enrich:NodeName"] = "n1", ["PatternMine:Enabled"] = "false" },
            s => s.AddSingleton<IEventSink>(probe));
        try
        {
            using (var client = await pipeline.ConnectTcpAsync())
            {
                // The files' line for each event, as EventJsonWriter writes it, is known once the
                // connection's remote address (our local endpoint) and id (the first: 1) are.
                var remote = ((IPEndPoint)client.Client.LocalEndPoint!).ToString();
                var input = FirstConnectionInput(remote, 4096);
                var stream = client.GetStream();
                await stream.WriteAsync(input);
                client.Client.Shutdown(SocketShutdown.Send);
                while (await stream.ReadAsync(new byte[64]) > 0)
                {
                }
            }

            await pipeline.WaitForClosedConnectionsAsync(1);
            await pipeline.SendTcpAsync(Ndjson.Events(FirstEvents, SecondEvents));
            await pipeline.StopAsync();

            // The premise: the first connection's events were one batch (so one frame) of exactly 4096 bytes.
            Assert.Equal(2, probe.BatchCount);
            var firstFrame = probe.Lines.Where(l => Ndjson.Seq(l) < FirstEvents).Sum(l => Encoding.UTF8.GetByteCount(l) + 1);
            Assert.Equal(4096, firstFrame);
            return (await Lz4Files.ReadWithLz4CatAsync(pipeline.LogsDir), pipeline);
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    /// <summary>Events whose normalised lines add up to exactly <paramref name="total"/> bytes.</summary>
    private static byte[] FirstConnectionInput(string remote, int total)
    {
        const string ts = "2025-01-02T03:04:05.678Z";
        var receivedAt = new string('0', TimestampFormatter.Length);
        string Output(int seq, string msg) =>
            $"{{\"ts\":\"{ts}\",\"received_at\":\"{receivedAt}\",\"level\":\"INFO\",\"robot_id\":\"r1\",\"msg\":\"{msg}\"," +
            $"\"protocol\":\"tcp\",\"conn_id\":1,\"remote\":\"{remote}\",\"node\":\"n1\",\"attrs\":{{\"seq\":{seq}}}}}\n";
        string Input(int seq, string msg) => $"{{\"ts\":\"{ts}\",\"robot_id\":\"r1\",\"msg\":\"{msg}\",\"seq\":{seq}}}\n";

        var length = 0;
        for (var seq = 0; seq < FirstEvents; seq++)
        {
            length += Output(seq, "m").Length;
        }

        Assert.InRange(length, 1, total);
        var lastMsg = new string('m', 1 + total - length);
        var input = new StringBuilder();
        for (var seq = 0; seq < FirstEvents - 1; seq++)
        {
            input.Append(Input(seq, "m"));
        }

        input.Append(Input(FirstEvents - 1, lastMsg));
        return Encoding.UTF8.GetBytes(input.ToString());
    }
}
