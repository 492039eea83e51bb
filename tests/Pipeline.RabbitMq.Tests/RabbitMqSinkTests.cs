using System.Text;
using K4os.Compression.LZ4.Streams;
using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Routes;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.Sinks;

namespace Pipeline.RabbitMq.Tests;

/// <summary>The sink against the real broker test.sh starts; each test on exchanges and queues of its own.</summary>
public sealed class RabbitMqSinkTests
{
    private readonly MqBatches _batches = new();
    private readonly RecordingDeadLetters _deadLetters = new();
    private readonly RecordingLogger _logger = new();

    private RabbitMqSink Sink(RabbitMqSinkOptions options, List<RouteOptions>? routes = null) =>
        new(options, RouteTable.Compile(routes), _deadLetters, _logger);

    private static RabbitMqSinkOptions Options(string exchange, string? uri = null) => new()
    {
        Uri = uri ?? Broker.SharedUri,
        Exchange = exchange,
        PublishTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private SinkBatch Encode(RabbitMqSink sink, int firstSeq, int count)
    {
        using var encoder = sink.CreateEncoder();
        var batch = _batches.Events(firstSeq, count);
        encoder.Append(batch);
        batch.Release();
        return encoder.Seal()!;
    }

    [RabbitMqFact]
    public async Task EventModeDeliversEveryEventWithItsRoutingKeyBodyAndHeaders()
    {
        var exchange = Broker.NewName("ev");
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, exchange, Broker.NewName("q"), ["#"]);
        await using var sink = Sink(Options(exchange));
        var batch = _batches.Parsed(
            """{"robot_id":"r7","level":91,"type":"motor","msg":"overheat","seq":1}""",
            """{"robot_id":"r8","level":"info","type":"nav","msg":"ok","seq":2}""");
        using var encoder = sink.CreateEncoder();
        encoder.Append(batch);
        var expected = Encoding.UTF8.GetString(RabbitMqEncoderTestsLines(batch)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        batch.Release();
        using var sealedBatch = encoder.Seal()!;

        await sink.WriteAsync(sealedBatch, CancellationToken.None);

        var messages = await queue.WaitForAsync(2);
        Assert.Equal(["error.motor.r7", "info.nav.r8"], messages.Select(m => m.RoutingKey));
        Assert.Equal(expected.Select(l => l + "\n"), messages.Select(m => m.Text));
        Assert.All(messages, m => Assert.True(m.Persistent));
        Assert.All(messages, m => Assert.Equal("application/json", m.ContentType));
        Assert.Equal("r7", messages[0].Header("x-robot-id"));
        Assert.Equal("ERROR", messages[0].Header("x-level"));
        Assert.Equal("91", messages[0].Header("x-level-code"));
        Assert.Equal("INFO", messages[1].Header("x-level"));
        Assert.Null(messages[1].Header("x-level-code"));
        Assert.Null(messages[1].Header("x-template-id"));
    }

    [RabbitMqFact]
    public async Task BatchModeDeliversOneLz4NdjsonMessagePerSealedBatchWithTheKeyPartsItsEventsShare()
    {
        var exchange = Broker.NewName("bm");
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, exchange, Broker.NewName("q"), ["#"]);
        var options = Options(exchange);
        options.Mode = RabbitMqMode.Batch;
        options.RoutingKey = "{robot_id}.{type}";
        await using var sink = Sink(options);
        using var mixed = Encode(sink, 1, 30);     // robots r0, r1, r2 and types t0, t1
        using var oneRobot = Encode(sink, 3, 1);   // r0 alone

        await sink.WriteAsync(mixed, CancellationToken.None);
        await sink.WriteAsync(oneRobot, CancellationToken.None);

        var messages = await queue.WaitForAsync(2);
        Assert.Equal(["mixed.mixed", "r0.t1"], messages.Select(m => m.RoutingKey));
        var first = messages[0];
        Assert.Equal("application/x-ndjson", first.ContentType);
        Assert.Equal("lz4", first.ContentEncoding);
        Assert.Equal("30", first.Header("x-event-count"));
        Assert.Null(first.Header("x-robot-id")); // robots differ
        Assert.Null(first.Header("x-level"));    // INFO and ERROR mixed
        var lines = Encoding.UTF8.GetString(LZ4Frame.Decode(first.Body.AsSpan(), new System.Buffers.ArrayBufferWriter<byte>()).WrittenSpan)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 30), lines.Select(Seq)); // in order
        Assert.Equal("r0", messages[1].Header("x-robot-id"));
        Assert.Equal("1", messages[1].Header("x-event-count"));
    }

    [RabbitMqFact]
    public async Task TheLevelMatrixFromTheReadmeConfigLandsEachLevelInExactlyItsQueues()
    {
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "rabbitmq-level-matrix.json")).Build();
        var options = config.GetSection("Pipeline:Sinks:RabbitMq").Get<RabbitMqSinkOptions>()!;
        var routes = config.GetSection("Pipeline:Routes").Get<List<RouteOptions>>()!;
        var errors = new List<string>();
        options.Validate("Pipeline:Sinks:RabbitMq", errors);
        RouteTable.Validate(routes, "Pipeline:Routes", errors);
        Assert.Empty(errors);
        options.Uri = Broker.SharedUri;
        var queues = new Dictionary<string, QueueReader>();
        foreach (var (queue, binding) in config.GetSection("Queues").Get<Dictionary<string, string>>()!)
        {
            queues[queue] = await Broker.QueueAsync(Broker.SharedUri, options.Exchange, queue, [binding]);
        }

        try
        {
            await using var sink = Sink(options, routes);
            using var encoder = sink.CreateEncoder();
            var batch = _batches.Parsed(MqBatches.Coded(1, 0), MqBatches.Coded(2, 1), MqBatches.Coded(3, 9), MqBatches.Coded(4, 11),
                MqBatches.Coded(5, 91), MqBatches.Coded(6, 99));
            encoder.Append(batch);
            batch.Release();
            using var sealedBatch = encoder.Seal()!;
            await sink.WriteAsync(sealedBatch, CancellationToken.None);

            // Level code per seq: 1→0, 2→1, 3→9, 4→11, 5→91, 6→99.
            var logstore = await queues["fleet.logstore"].WaitForAsync(4);
            var developer = await queues["fleet.developer"].WaitForAsync(2);
            var customer = await queues["fleet.customer"].WaitForAsync(2);
            // Everything is confirmed, and a confirm of a routed persistent message comes after it is enqueued:
            // the broker's counts are final now, so "exactly" is checked, not just "at least".
            Assert.Equal(8, sealedBatch.Events);
            Assert.Equal([2, 3, 4, 5], logstore.Select(m => Seq(m.Text)).Order());
            Assert.Equal([3, 5], developer.Select(m => Seq(m.Text)).Order());
            Assert.Equal([4, 5], customer.Select(m => Seq(m.Text)).Order());
            Assert.Equal(4, queues["fleet.logstore"].Messages.Count);
            Assert.Equal(2, queues["fleet.developer"].Messages.Count);
            Assert.Equal(2, queues["fleet.customer"].Messages.Count);
        }
        finally
        {
            foreach (var queue in queues.Values)
            {
                await queue.DisposeAsync();
            }
        }
    }

    [RabbitMqFact]
    public async Task AFullQueueThatRejectsPublishesNacksAndOnlyTheConfirmedLeaveTheBatch()
    {
        var exchange = Broker.NewName("full");
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, exchange, Broker.NewName("q"), ["#"],
            arguments: new Dictionary<string, object?> { ["x-max-length"] = 5, ["x-overflow"] = "reject-publish" });
        await using var sink = Sink(Options(exchange));
        using var batch = Encode(sink, 1, 20);

        var error = await Assert.ThrowsAsync<RabbitMqPublishException>(() => sink.WriteAsync(batch, CancellationToken.None));

        Assert.Contains("15 nacked", error.Message);
        Assert.Equal(15, batch.Events); // the runner counts only the 5 confirmed as written
        Assert.Equal(5u, await queue.BrokerCountAsync());
        Assert.Equal(Enumerable.Range(6, 15), RabbitMqEncoderTests.Read(batch).Select(m => Seq(Encoding.UTF8.GetString(batch.Payload.Span[m.Body]))));
        Assert.True(sink.IsConnected); // a nack is not a broken channel

        await queue.WaitForAsync(5); // consumed: room again
        await sink.WriteAsync(batch, CancellationToken.None);
        var all = await queue.WaitForAsync(20);
        Assert.Equal(Enumerable.Range(1, 20), all.Select(m => Seq(m.Text)));
    }

    [RabbitMqFact]
    public async Task UnroutableMessagesAreRetriedThenDeadLetteredWhileTheRoutableOnesAreConfirmed()
    {
        var exchange = Broker.NewName("unr");
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, exchange, Broker.NewName("q"), ["*.*.r1"]);
        var options = Options(exchange);
        options.UnroutableAttempts = 2;
        await using var sink = Sink(options);
        using var batch = Encode(sink, 1, 9); // r1: seq 1, 4, 7

        var first = await Assert.ThrowsAsync<RabbitMqPublishException>(() => sink.WriteAsync(batch, CancellationToken.None));
        Assert.Contains("6 returned unroutable", first.Message);
        Assert.Equal(6, batch.Events);
        Assert.Empty(_deadLetters.Records);

        var second = await Assert.ThrowsAsync<SinkRejectedException>(() => sink.WriteAsync(batch, CancellationToken.None));
        Assert.Equal("unroutable", second.Reason);
        Assert.Equal(6, batch.Events); // what the runner counts discarded with reason "unroutable"
        Assert.Equal(6, _deadLetters.Records.Count);
        Assert.All(_deadLetters.Records, r => Assert.Equal(("rabbitmq", "unroutable"), (r.Component, r.Reason)));
        Assert.Equal([1, 4, 7], (await queue.WaitForAsync(3)).Select(m => Seq(m.Text)));
    }

    [RabbitMqFact]
    public async Task ASpoolRecordOfAnUnknownPayloadFormatIsRejectedNotRetriedForever()
    {
        await using var sink = Sink(Options(Broker.NewName("fmt")));
        using var unknown = new SinkBatch(System.Buffers.ArrayPool<byte>.Shared.Rent(16), 16, 3, format: 99);

        var error = await Assert.ThrowsAsync<SinkRejectedException>(() => sink.WriteAsync(unknown, CancellationToken.None));

        Assert.Equal("unreadable", error.Reason);
        Assert.Contains("format 99", error.Message, StringComparison.Ordinal);
    }

    [RabbitMqFact]
    public async Task WrongCredentialsFailWithOneClearMessage()
    {
        var uri = new UriBuilder(Broker.SharedUri) { Password = "wrong" }.Uri.ToString();
        await using var sink = Sink(Options(Broker.NewName("auth"), uri));

        var error = await Assert.ThrowsAsync<RabbitMqConnectException>(() => sink.CheckHealthAsync(CancellationToken.None));

        Assert.Contains("refused the credentials", error.Message);
        Assert.Contains("Pipeline:Sinks:RabbitMq:Uri", error.Message);
        Assert.DoesNotContain("wrong", error.Message); // no password in logs
        // The runner's line names the destination itself ("Sink rabbitmq: amqp://… cannot be used (…)"): the reason does not repeat it.
        Assert.StartsWith("refused the credentials", sink.Describe(error), StringComparison.Ordinal);
    }

    internal static int Seq(string line)
    {
        var at = line.IndexOf("\"seq\":", StringComparison.Ordinal) + 6;
        var end = at;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        return int.Parse(line.AsSpan(at, end - at), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] RabbitMqEncoderTestsLines(Pipeline.Blocks.Events.EventBatch batch)
    {
        using var writer = new Pipeline.Blocks.Output.PooledBufferWriter();
        var json = new Pipeline.Blocks.Output.EventJsonWriter();
        foreach (ref var e in batch.Events)
        {
            json.Write(batch, ref e, writer);
        }

        return writer.WrittenSpan.ToArray();
    }
}
