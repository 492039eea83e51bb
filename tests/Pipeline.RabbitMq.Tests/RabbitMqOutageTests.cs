using System.Text;
using Pipeline.Blocks.Routes;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.Sinks;

namespace Pipeline.RabbitMq.Tests;

/// <summary>
/// The sink against nodes of the tests' own that they stop, restart, stall or start late. Each test
/// is bounded (timeouts everywhere) and disposes its node. The runner's retry is played by a loop
/// here: the sink only has to keep what was not confirmed in the batch and throw.
/// </summary>
public sealed class RabbitMqOutageTests
{
    private readonly MqBatches _batches = new();
    private readonly RecordingDeadLetters _deadLetters = new();
    private readonly RecordingLogger _logger = new();

    private RabbitMqSink Sink(string uri, string exchange, int window = 256, TimeSpan? publishTimeout = null) =>
        new(new RabbitMqSinkOptions
        {
            Uri = uri,
            Exchange = exchange,
            OutstandingConfirms = window,
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }, RouteTable.Empty, _deadLetters, _logger);

    private SinkBatch Encode(RabbitMqSink sink, int firstSeq, int count)
    {
        using var encoder = sink.CreateEncoder();
        var batch = _batches.Events(firstSeq, count);
        encoder.Append(batch);
        batch.Release();
        return encoder.Seal()!;
    }

    /// <summary>
    /// The runner's part: attempts until the batch is confirmed. After a failure it waits for
    /// <paramref name="beforeRetry"/> (the test's own signal that the broker is back) instead of a timer;
    /// a bounded number of attempts fails the test rather than hanging it.
    /// </summary>
    private static async Task<int> WriteUntilConfirmedAsync(RabbitMqSink sink, SinkBatch batch, Func<Task> beforeRetry, int attempts = 20)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                await sink.WriteAsync(batch, CancellationToken.None);
                return failures;
            }
            catch (Exception) when (failures + 1 < attempts)
            {
                await beforeRetry();
            }
        }
    }

    [RabbitMqFact]
    public async Task BrokerDownAtStartFailsTheHealthCheckClearlyAndDeliversOnceItIsUp()
    {
        await using var node = PrivateRabbitMq.Reserve();
        var exchange = "late";
        await using var sink = Sink(node.Uri, exchange);

        var error = await Assert.ThrowsAsync<RabbitMqConnectException>(() => sink.CheckHealthAsync(CancellationToken.None));
        Assert.Contains("unreachable", error.Message);
        using var batch = Encode(sink, 1, 10);
        await Assert.ThrowsAsync<RabbitMqConnectException>(() => sink.WriteAsync(batch, CancellationToken.None));
        Assert.Equal(10, batch.Events);

        await node.StartAgainAsync();
        await using var queue = await Broker.QueueAsync(node.Uri, exchange, "late.q", ["#"]);
        await sink.CheckHealthAsync(CancellationToken.None);
        await sink.WriteAsync(batch, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 10), (await queue.WaitForAsync(10)).Select(m => RabbitMqSinkTests.Seq(m.Text)));
    }

    [RabbitMqFact]
    public async Task AStalledBrokerTimesThePublishOutAndTheBatchIsKeptWhole()
    {
        await using var node = await PrivateRabbitMq.StartAsync();
        var exchange = "stall";
        await using var queue = await Broker.QueueAsync(node.Uri, exchange, "stall.q", ["#"]);
        await using var sink = Sink(node.Uri, exchange, publishTimeout: TimeSpan.FromSeconds(2));
        await sink.CheckHealthAsync(CancellationToken.None);
        using var batch = Encode(sink, 1, 50);

        await node.StallAsync(); // memory alarm: publishers are blocked, nothing is confirmed
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<RabbitMqPublishException>(() => sink.WriteAsync(batch, CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the publish deadline bounds a stalled write");
        Assert.Contains("without a confirm within 2 s", error.Message);
        Assert.Equal(50, batch.Events);
        Assert.False(sink.IsConnected); // torn down: the next attempt reconnects

        await node.UnstallAsync();
        // The alarm is cleared: a retry works (or waits out the publish deadline while the broker lets go), no timer needed.
        await WriteUntilConfirmedAsync(sink, batch, () => Task.CompletedTask);
        var seqs = (await queue.WaitForDistinctAsync(50, m => RabbitMqSinkTests.Seq(m.Text))).Select(m => RabbitMqSinkTests.Seq(m.Text)).ToList();
        // Messages the stalled broker had read before the alarm may arrive twice (at most one window).
        Assert.Equal(Enumerable.Range(1, 50), seqs.Distinct().Order());
        Assert.True(seqs.Count - 50 <= 256, $"{seqs.Count - 50} duplicates");
    }

    [RabbitMqFact]
    public async Task ABrokerRestartMidStreamLosesNoSeqAndDuplicatesAtMostTheOutstandingWindow()
    {
        const int window = 32;
        const int perBatch = 25;
        await using var node = await PrivateRabbitMq.StartAsync();
        var exchange = "restart";
        // Durable queue, persistent messages: what the broker confirmed survives its restart.
        await (await Broker.QueueAsync(node.Uri, exchange, "restart.q", ["#"], durable: true)).CloseWithoutDeletingAsync();
        await using var sink = Sink(node.Uri, exchange, window, TimeSpan.FromSeconds(3));
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = DateTime.UtcNow.AddSeconds(50);
        var failures = 0;
        var written = 0;
        var producer = Task.Run(async () =>
        {
            // Batches go on through the stop and the start, and ten more after the node is back.
            var after = 0;
            for (var b = 0; after < 10 && b < 4000; b++)
            {
                using var batch = Encode(sink, b * perBatch + 1, perBatch);
                // A failure means the broker is away: the retry waits for the test to have started it again.
                failures += await WriteUntilConfirmedAsync(sink, batch, () => restarted.Task.WaitAsync(deadline - DateTime.UtcNow));
                written += perBatch;
                if (b == 10)
                {
                    flowing.TrySetResult();
                }

                if (restarted.Task.IsCompleted)
                {
                    after++;
                }
            }
        });

        await flowing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await node.StopAsync();
        await node.StartAgainAsync();
        restarted.TrySetResult();
        await producer.WaitAsync(TimeSpan.FromSeconds(55));

        await using var queue = await Broker.QueueAsync(node.Uri, exchange, "restart.q", ["#"], durable: true);
        var seqs = (await queue.WaitForDistinctAsync(written, m => RabbitMqSinkTests.Seq(m.Text))).Select(m => RabbitMqSinkTests.Seq(m.Text)).ToList();
        Assert.Equal(Enumerable.Range(1, written), seqs.Distinct().Order());
        Assert.True(seqs.Count - written <= window, $"{seqs.Count - written} duplicates, window {window}");
        Assert.True(failures > 0, "the restart happened while events flowed");
    }
}
