using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.RabbitMq.Tests.Service;

/// <summary>
/// The whole service while a broker of the test's own (<see cref="PrivateRabbitMq"/>) is down at start,
/// restarted mid-stream, down across a service restart, or stalled by a memory alarm. One class, so
/// the private nodes run one at a time on a small machine; each node is killed and deleted on dispose.
/// </summary>
public sealed class RabbitMqServiceOutageTests(ITestOutputHelper output)
{
    private const string Exchange = "pipeline.events";

    [RabbitMqFact]
    public async Task ABrokerDownAtStartIsSaidOnceEventsAreSpooledAndReplayedInOrderWhenItComesUp()
    {
        // The durable queue and its binding exist before the broker goes down, so they are there the moment it
        // is back: were the test to bind after the restart, the replay could publish first, get the first
        // messages of a window returned and the later ones routed, and retry the first after them.
        await using var node = await PrivateRabbitMq.StartAsync();
        // Closed, not disposed: disposing a reader deletes its queue.
        await (await Broker.QueueAsync(node.Uri, Exchange, "svc.late", ["#"], durable: true)).CloseWithoutDeletingAsync();
        await node.StopAsync();
        var settings = RabbitMqService.Settings(node.Uri);
        await using var service = await RabbitMqService.StartAsync(settings);
        var spool = Path.Combine(service.Pipeline.DataDir, "spool", "rabbitmq");

        var (status, body) = await service.ReadyzAsync();
        Assert.Equal(503, status);
        Assert.Contains("\"rabbitmq\":\"unreachable\"", body, StringComparison.Ordinal);
        var warning = Assert.Single(service.Logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains("unreachable", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"spooled to {spool}", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{node.Port}", warning.Message, StringComparison.Ordinal);

        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 1000));
        await service.Spooled.WaitForAsync(1000);
        Assert.Equal(1000, service.SpooledTotal);
        Assert.Equal(0, service.Written);
        Assert.NotEmpty(Directory.GetFiles(spool));
        Assert.Single(service.Logs.Lines, l => l.Level >= LogLevel.Warning); // once, not per probe or batch

        await node.StartAgainAsync();
        await using var queue = await Broker.QueueAsync(node.Uri, Exchange, "svc.late", ["#"], durable: true);
        var messages = await queue.WaitForAsync(1000);
        await service.Acknowledged.WaitForAsync(1000);

        Assert.Equal(Enumerable.Range(1, 1000), messages.Select(m => RabbitMqService.Seq(m.Text)));
        // The runner turns healthy when the last record is taken, before it counts it written: no wait needed.
        Assert.Equal(200, (await service.ReadyzAsync()).Status);
        Assert.Contains("\"rabbitmq\":\"healthy\"", (await service.ReadyzAsync()).Body, StringComparison.Ordinal);
        Assert.Equal(0, service.Runner.SpooledEvents);
        Assert.Equal(1000, service.Written);
    }

    /// <summary>
    /// Events keep coming while the broker is stopped and started again (durable queue, persistent
    /// messages). The sink awaits each window of OutstandingConfirms publishes before the next and keeps
    /// only the unconfirmed ones for the retry and the spool, and a replayed record keeps its confirmed
    /// part out of the batch while the process lives. So the only messages sent twice are those of a
    /// window that was cut (published, possibly enqueued, no confirm): at most OutstandingConfirms per
    /// torn-down connection. A spool record replay adds none of its own in one process (it would only
    /// after a crash between confirm and removal). The test counts the cut windows (the sink's
    /// "torn down (no confirm … / channel closed)" lines) and asserts both that bound and that it is one
    /// window here, a single restart.
    /// </summary>
    [RabbitMqFact]
    public async Task ABrokerRestartMidStreamLosesNoSeqAndDuplicatesAtMostTheOutstandingConfirmsWindow()
    {
        const int window = 32;
        const int phase = 3000;
        await using var node = await PrivateRabbitMq.StartAsync();
        var queue = await Broker.QueueAsync(node.Uri, Exchange, "svc.restart", ["#"], durable: true);
        await queue.CloseWithoutDeletingAsync(); // not consumed until the end: an ack lost at the stop would look like a duplicate
        var settings = RabbitMqService.Settings(node.Uri);
        settings["Sinks:RabbitMq:OutstandingConfirms"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Sinks:RabbitMq:BatchMaxEvents"] = "500";
        await using var service = await RabbitMqService.StartAsync(settings, level: LogLevel.Debug);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sent = 0;
        var robot = Task.Run(async () =>
        {
            using var client = await service.Pipeline.ConnectTcpAsync();
            var stream = client.GetStream();
            // Until the broker is stopped, a few hundred ahead of the confirms: the stop falls while
            // windows are being published, without piling up more than the test can check in time.
            while (!stopped.Task.IsCompleted)
            {
                await Task.WhenAny(service.Acknowledged.WaitForAsync(sent - 300, TimeSpan.FromSeconds(60)), stopped.Task);
                await stream.WriteAsync(RabbitMqService.Lines(sent + 1, 100));
                sent += 100;
            }

            for (var i = 0; i < phase / 100; i++) // during the outage
            {
                await stream.WriteAsync(RabbitMqService.Lines(sent + 1, 100));
                sent += 100;
            }

            await restarted.Task;
            for (var i = 0; i < phase / 100; i++) // after it
            {
                await stream.WriteAsync(RabbitMqService.Lines(sent + 1, 100));
                sent += 100;
            }

            client.Client.Shutdown(SocketShutdown.Send);
            var rest = new byte[256];
            while (await stream.ReadAsync(rest) > 0)
            {
            }
        });

        await service.Acknowledged.WaitForAsync(1000);
        await node.StopAsync();
        stopped.SetResult();
        await service.Spooled.WaitForAsync(phase);
        Assert.Equal(SinkHealth.Spooling, service.Runner.Health);
        Assert.Contains("\"rabbitmq\":\"spooling\"", (await service.ReadyzAsync()).Body, StringComparison.Ordinal);
        Assert.Equal(200, (await service.ReadyzAsync()).Status); // reached once: spooling is ready, nothing is lost
        await node.StartAgainAsync();
        restarted.SetResult();
        await robot.WaitAsync(TimeSpan.FromSeconds(30));
        var total = sent;
        await service.Acknowledged.WaitForAsync(total, TimeSpan.FromSeconds(40));
        await service.Pipeline.StopAsync();

        await using var reader = await Broker.QueueAsync(node.Uri, Exchange, "svc.restart", ["#"], durable: true);
        var messages = await reader.WaitForAsync((int)await reader.BrokerCountAsync());
        var seqs = messages.Select(m => RabbitMqService.Seq(m.Text)).ToList();
        Assert.Equal(Enumerable.Range(1, total), seqs.Distinct().Order());
        var cut = service.Logs.Lines.Count(l => l.Message.Contains("torn down (no confirm", StringComparison.Ordinal)
            || l.Message.Contains("torn down (channel closed)", StringComparison.Ordinal));
        output.WriteLine($"{total} events, {seqs.Count - total} duplicate(s), {cut} cut window(s) of at most {window}");
        Assert.InRange(seqs.Count - total, 0, window * cut);
        Assert.InRange(seqs.Count - total, 0, window);
        Assert.Equal(total, service.Written); // each event counted once, when confirmed
        Assert.Equal(0, service.Runner.SpooledEvents);
    }

    [RabbitMqFact]
    public async Task ASpoolLeftByARunThatStoppedWhileTheBrokerWasDownIsReplayedByTheNextStart()
    {
        await using var node = PrivateRabbitMq.Reserve();
        var dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        var spool = Path.Combine(dataDir, "spool", "rabbitmq");
        RabbitMqService? first = null;
        try
        {
            var settings = RabbitMqService.Settings(node.Uri);
            // Stopped, not disposed, until the end: disposing a TestPipeline deletes its data directory.
            first = await RabbitMqService.StartAsync(settings, dataDir);
            await first.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 2000));
            await first.Spooled.WaitForAsync(2000);
            await first.Pipeline.StopAsync();
            var drained = Assert.Single(first.Logs.Lines, l => l.Message.StartsWith("Graph drained", StringComparison.Ordinal)).Message;
            Assert.Contains($"rabbitmq: 0 events written, 2000 left in its spool ({spool}) for the next start", drained, StringComparison.Ordinal);
            Assert.Contains("files: 2000 events written", drained, StringComparison.Ordinal);
            Assert.NotEmpty(Directory.GetFiles(spool));

            await node.StartAgainAsync();
            await using var queue = await Broker.QueueAsync(node.Uri, Exchange, "svc.nextrun", ["#"], durable: true);
            await using var second = await RabbitMqService.StartAsync(settings, dataDir);
            var messages = await queue.WaitForAsync(2000);
            await second.Acknowledged.WaitForAsync(2000);

            Assert.Equal(Enumerable.Range(1, 2000), messages.Select(m => RabbitMqService.Seq(m.Text)));
            Assert.Equal(SinkHealth.Healthy, second.Runner.Health); // healthy before the last record was counted written
            Assert.Equal(0, second.Runner.SpooledEvents);
            await second.Pipeline.StopAsync();
            Assert.Equal(2000, messages.Count);
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    /// <summary>
    /// A memory alarm blocks the publishing connection: the window in flight gets no confirm (for up to
    /// PublishTimeout, long here so the spool is not reached), the sink's bounded input fills, the
    /// fan-out — which awaits every sink — stops taking batches, the blocks before it fill their bounded
    /// inputs, ingest stops reading and the robot's writes stop completing. What the process holds is
    /// bounded by the blocks' capacities (set small here), not by what is offered. Once the alarm
    /// clears, everything arrives.
    /// </summary>
    [RabbitMqFact]
    public async Task AStalledBrokerMakesTheFanOutWaitWithBoundedMemoryAndEverythingArrivesOnceTheAlarmClears()
    {
        const int capacity = 2;
        const int chunk = 1000;
        const int total = 120_000; // ≈ 17 MB: several times what the blocks and the socket buffers hold
        await using var node = await PrivateRabbitMq.StartAsync();
        await using var queue = await Broker.QueueAsync(node.Uri, Exchange, "svc.stall", ["#"], durable: true);
        var settings = RabbitMqService.Settings(node.Uri);
        settings["Sinks:RabbitMq:BoundedCapacity"] = "2";
        settings["Sinks:RabbitMq:PublishTimeout"] = "00:00:30";
        string[] blocks = ["Parse", "Redact", "Enrich", "PatternMine", "FanOut"];
        foreach (var block in blocks)
        {
            settings[$"Blocks:{block}:BoundedCapacity"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        settings["Sinks:Files:BoundedCapacity"] = "2";
        await using var service = await RabbitMqService.StartAsync(settings);
        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 100));
        await service.Acknowledged.WaitForAsync(100); // connected before the alarm

        await node.StallAsync();
        try
        {
            await StalledAsync(service, node, queue, total, chunk, capacity);
        }
        finally
        {
            await node.UnstallAsync(); // a failed assertion must not leave the service's stop waiting on a stalled broker
        }
    }

    private static async Task StalledAsync(RabbitMqService service, PrivateRabbitMq node, QueueReader queue, int total, int chunk, int capacity)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Runner.WaitingToHandOver += () => stuck.TrySetResult();
        long offered = 0;
        var robot = Task.Run(async () =>
        {
            using var client = await service.Pipeline.ConnectTcpAsync();
            var stream = client.GetStream();
            for (var first = 101; first < 101 + total; first += chunk)
            {
                await stream.WriteAsync(RabbitMqService.Lines(first, chunk));
                Interlocked.Add(ref offered, chunk);
            }

            client.Client.Shutdown(SocketShutdown.Send);
            var rest = new byte[256];
            while (await stream.ReadAsync(rest) > 0)
            {
            }
        });

        // The writer is stuck on the stalled broker and the accumulator cannot hand the next batch over: from
        // here the sink's bounded input fills and the fan-out waits. The robot cannot finish while the sink is
        // stalled (it finishes only once the server read all it sent, far more than the bounded blocks hold).
        await stuck.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var ingested = service.Pipeline.Metric("pipeline_ingest_events_total", "tcp");
        Assert.False(robot.IsCompleted, "the robot's writes stop completing while the fan-out waits");
        Assert.True(ingested < total / 2, $"ingest stopped at {ingested} of {total} events");
        Assert.InRange(await service.ScrapeAsync("pipeline_block_queue_depth", "block=\"rabbitmq\""), 0, capacity); // bounded
        Assert.InRange(service.Pipeline.Metric("pipeline_sink_written_events_total", "files"), 100, ingested);
        Assert.Equal(100, service.Written);
        Assert.Equal(0, service.SpooledTotal);
        // The heap holds the bounded blocks' batches (pooled buffers that grew for them), not the offer:
        // without the fan-out waiting, all 120 000 events would be taken (≈ 700 B each in batches here).
        var grown = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.True(grown < 48 << 20, $"the heap grew {grown >> 20} MB with {ingested} events taken, {Interlocked.Read(ref offered)} written by the robot");

        await node.UnstallAsync();
        await robot.WaitAsync(TimeSpan.FromSeconds(40));
        await service.Acknowledged.WaitForAsync(100 + total, TimeSpan.FromSeconds(40));
        var messages = await queue.WaitForAsync(100 + total, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 100 + total), messages.Select(m => RabbitMqService.Seq(m.Text)).Distinct().Order());
    }
}
