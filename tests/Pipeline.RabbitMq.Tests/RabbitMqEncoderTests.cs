using System.Text;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.Routes;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.RabbitMq.Internal;
using Pipeline.Storage.Sinks;

namespace Pipeline.RabbitMq.Tests;

public sealed class RabbitMqEncoderTests
{
    private readonly MqBatches _batches = new();

    internal static List<RabbitMqMessage> Read(SinkBatch batch)
    {
        var messages = new List<RabbitMqMessage>();
        MessageFormat.Read(batch.Format, batch.Payload.Span, messages);
        return messages;
    }

    private static RabbitMqEncoder Encoder(RabbitMqMode mode = RabbitMqMode.Event, string key = RabbitMqSinkOptions.DefaultRoutingKey,
        List<RouteOptions>? routes = null, bool publishUnmatched = true) =>
        new(new RabbitMqRouting(new RabbitMqSinkOptions { RoutingKey = key, PublishUnmatched = publishUnmatched }, RouteTable.Compile(routes)), mode);

    private static string Lines(EventBatch batch)
    {
        using var writer = new PooledBufferWriter();
        var json = new EventJsonWriter();
        foreach (ref var e in batch.Events)
        {
            json.Write(batch, ref e, writer);
        }

        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    [Fact]
    public void DefaultRoutingKeyIsLowerCaseLevelTypeAndRobot()
    {
        using var encoder = Encoder();
        var batch = _batches.Events(1, 4);
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        var keys = Read(sealedBatch).Select(m => MessageFormat.Text(sealedBatch.Payload.Span, m.RoutingKey)).ToList();
        Assert.Equal(["info.t1.r1", "info.t0.r2", "info.t1.r0", "error.t0.r1"], keys);
        batch.Release();
    }

    [Fact]
    public void MissingPartsAreNoneAndTopicSeparatorsInsideValuesBecomeUnderscores()
    {
        using var encoder = Encoder(key: "{level}.{type}.{robot_id}.{site}.{level_code}");
        var batch = _batches.Parsed(
            """{"robot_id":"a.b c*#","level":"WARN","msg":"x"}""",
            """{"level":91,"type":"mq","msg":"y"}""");
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        var keys = Read(sealedBatch).Select(m => MessageFormat.Text(sealedBatch.Payload.Span, m.RoutingKey)).ToList();
        Assert.Equal(["warning.none.a_b_c__.none.none", "error.mq.none.none.91"], keys);
        batch.Release();
    }

    [Fact]
    public void EventModeBodyIsTheFilesJsonLineAndTheSpooledPayloadReadsBackTheSameMessages()
    {
        using var encoder = Encoder();
        var batch = _batches.Events(1, 10);
        var expected = Lines(batch).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        Assert.Equal(10, sealedBatch.Events);

        // What replay hands back: the same bytes and format, in a fresh batch.
        var copy = System.Buffers.ArrayPool<byte>.Shared.Rent(sealedBatch.Length);
        sealedBatch.Payload.Span.CopyTo(copy);
        using var replayed = new SinkBatch(copy, sealedBatch.Length, sealedBatch.Events, sealedBatch.Format);
        var messages = Read(replayed);
        var payload = replayed.Payload.Span;
        Assert.Equal(10, messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            Assert.Equal(MessageKind.Json, m.Kind);
            Assert.Equal("pipeline.events", MessageFormat.Text(payload, m.Exchange));
            Assert.Equal($"r{(i + 1) % 3}", MessageFormat.Text(payload, m.RobotId));
            Assert.Equal(1, m.Events);
            Assert.Equal(expected[i] + "\n", MessageFormat.Text(payload, m.Body));
        }

        Assert.Equal(Read(sealedBatch), messages);
        batch.Release();
    }

    [Fact]
    public void BatchModeWritesOneLz4FrameOfTheFilesLinesPerTarget()
    {
        using var encoder = Encoder(RabbitMqMode.Batch, key: "{type}");
        var batch = _batches.Events(1, 9);
        var lines = Lines(batch);
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        var payload = sealedBatch.Payload.Span;
        var m = Assert.Single(Read(sealedBatch));
        Assert.Equal(9, sealedBatch.Events);
        Assert.Equal("mixed", MessageFormat.Text(payload, m.RoutingKey)); // t0 and t1
        Assert.Equal(MessageKind.Lz4Ndjson, m.Kind);
        Assert.Equal(9, m.Events);
        Assert.Equal(lines, Encoding.UTF8.GetString(LZ4Frame.Decode(payload[m.Body], new ArrayBufferWriterShim()).WrittenSpan));
        Assert.Equal(0, m.RobotId.GetOffsetAndLength(payload.Length).Length); // robots differ within the message
        batch.Release();
    }

    [Theory]
    [InlineData(new[] { 2, 14 }, "info.t0.r2.x")]       // every part agrees (6 would be r0)
    [InlineData(new[] { 2, 4 }, "mixed.t0.mixed.x")]    // 4 is an ERROR of r1
    [InlineData(new[] { 1, 2 }, "info.mixed.mixed.x")]  // r1/t1 and r2/t0
    public void BatchModeKeysKeepWhatTheEventsShareAndSayMixedForTheRest(int[] seqs, string expected)
    {
        using var encoder = Encoder(RabbitMqMode.Batch, key: "{level}.{type}.{robot_id}.x");
        var batch = _batches.Parsed([.. seqs.Select(MqBatches.Line)]);
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        var m = Assert.Single(Read(sealedBatch));
        Assert.Equal(expected, MessageFormat.Text(sealedBatch.Payload.Span, m.RoutingKey));
        batch.Release();
    }

    [Fact]
    public void RoutesPublishOncePerMatchingRouteAndContinueFalseStops()
    {
        List<RouteOptions> routes =
        [
            new() { Match = new RouteMatchOptions { Levels = ["ERROR"] }, RabbitMq = new RouteRabbitMqTarget { RoutingKey = "errors.{robot_id}" }, Continue = false },
            new() { Match = new RouteMatchOptions { Robots = ["r1"] }, RabbitMq = new RouteRabbitMqTarget { Exchange = "other", RoutingKey = "r1.{level}" } },
            new() { Match = new RouteMatchOptions { Robots = ["r1"] }, Channels = ["ops"] },
        ];
        using var encoder = Encoder(routes: routes);
        var batch = _batches.Events(1, 4); // 1: r1 info, 2: r2 info, 3: r0 info, 4: r1 error
        encoder.Append(batch);
        using var sealedBatch = encoder.Seal()!;
        var targets = Read(sealedBatch).Select(m => $"{MessageFormat.Text(sealedBatch.Payload.Span, m.Exchange)}/{MessageFormat.Text(sealedBatch.Payload.Span, m.RoutingKey)}").ToList();
        Assert.Equal(["other/r1.info", "pipeline.events/info.t0.r2", "pipeline.events/info.t1.r0", "pipeline.events/errors.r1"], targets);
        batch.Release();
    }

    [Fact]
    public void WithoutPublishUnmatchedAnEventNoRouteTakesIsNotEncodedNorCounted()
    {
        List<RouteOptions> routes = [new() { Match = new RouteMatchOptions { Levels = ["ERROR"] }, RabbitMq = new RouteRabbitMqTarget() }];
        using var encoder = Encoder(routes: routes, publishUnmatched: false);
        var batch = _batches.Events(1, 3); // all INFO
        encoder.Append(batch);
        Assert.Equal(0, encoder.PendingEvents);
        Assert.Null(encoder.Seal());
        batch.Release();
    }

    [Theory]
    [InlineData(RabbitMqMode.Event)]
    [InlineData(RabbitMqMode.Batch)]
    public void EncodingAllocatesNothingPerEvent(RabbitMqMode mode)
    {
        using var encoder = Encoder(mode);
        var batch = _batches.Events(1, 1000);
        for (var warm = 0; warm < 3; warm++)
        {
            encoder.Append(batch);
            encoder.Seal()!.Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        encoder.Append(batch);
        var after = GC.GetAllocatedBytesForCurrentThread();
        encoder.Seal()!.Dispose();
        Assert.True(after - before < 1000, $"{after - before} B allocated appending 1000 events");
        batch.Release();
    }

    /// <summary>A growable buffer for LZ4Frame.Decode.</summary>
    private sealed class ArrayBufferWriterShim : System.Buffers.IBufferWriter<byte>
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _inner = new();

        public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);
    }
}
