using Pipeline.Client.Tests.Infrastructure;

namespace Pipeline.Client.Tests;

public sealed class PipelineClientTests
{
    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task EveryEventIsAcknowledgedAndWrittenOnceInOrder(string transport)
    {
        const int Events = 5_000;
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(transport == "ws" ? service.Ports.WebSocket : service.Ports.TcpUri);
        await using (var client = new PipelineClient(options))
        {
            for (var i = 1; i <= Events; i++)
            {
                var seq = client.Log(PipelineLevel.Info, $"waypoint {i} reached", "nav", [new("waypoint", i), new("site", "depot-3")]);
                Assert.Equal(i, seq);
            }

            await client.FlushAsync(TestClients.Deadline);
            Assert.Equal(Events, client.Acknowledged);
            Assert.Equal(Events, client.AcknowledgedSeq);
            Assert.Equal(0, client.Unacknowledged);
            Assert.Equal(0, client.Dropped);
            Assert.True(client.Sent >= Events, $"sent {client.Sent}");
        }

        await service.StopAsync();
        var events = LogFiles.ReadBoot(service.LogsDir, options.BootId);
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(events), 1, Events);
        var last = events[^1];
        Assert.Equal("INFO", last.GetProperty("level").GetString());
        Assert.Equal("nav", last.GetProperty("type").GetString());
        Assert.Equal($"waypoint {Events} reached", last.GetProperty("msg").GetString());
        Assert.Equal("r-test", last.GetProperty("robot_id").GetString());
        Assert.Equal(Events, last.GetProperty("attrs").GetProperty("waypoint").GetInt32());
        Assert.Equal("depot-3", last.GetProperty("attrs").GetProperty("site").GetString());
    }

    [Fact]
    public async Task AnAttributeNamedSeqCannotTakeTheEventsSeq()
    {
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(service.Ports.WebSocket);
        await using (var client = new PipelineClient(options))
        {
            client.Log(PipelineLevel.Warning, "tricky", attributes: [new("seq", 999), new("level", "nope")]);
            await client.FlushAsync(TestClients.Deadline);
        }

        await service.StopAsync();
        var only = Assert.Single(LogFiles.ReadBoot(service.LogsDir, options.BootId));
        Assert.Equal(1, only.GetProperty("attrs").GetProperty("seq").GetInt64());
        Assert.Equal(999, only.GetProperty("attrs").GetProperty("seq_").GetInt32());
        Assert.Equal("WARNING", only.GetProperty("level").GetString());
    }

    [Fact]
    public async Task FlushPastItsDeadlineSaysHowManyEventsAreUnacknowledged()
    {
        await using var service = await PipelineService.StartAsync();
        await using var client = new PipelineClient(TestClients.Options(service.Ports.WebSocket));
        client.Log(PipelineLevel.Info, "before the outage");
        await client.FlushAsync(TestClients.Deadline);
        await service.KillAsync();

        for (var i = 0; i < 10; i++)
        {
            client.Log(PipelineLevel.Info, "during the outage");
        }

        var late = await Assert.ThrowsAsync<PipelineFlushTimeoutException>(() => client.FlushAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(10, late.Unacknowledged);
        Assert.Equal(11, late.TargetSeq);
        Assert.Equal(1, late.AcknowledgedSeq);
        Assert.Contains("10 event(s) not acknowledged", late.Message, StringComparison.Ordinal);
        Assert.Equal(10, client.Unacknowledged);

        var closing = await Assert.ThrowsAsync<PipelineFlushTimeoutException>(() => client.CloseAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(10, closing.Unacknowledged);
        Assert.Throws<ObjectDisposedException>(() => client.Log(PipelineLevel.Info, "after close"));
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task AfterTheClientsSocketIsAbortedEveryEventIsWrittenExactlyOnce(string transport)
    {
        const int Events = 30_000;
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(transport == "ws" ? service.Ports.WebSocket : service.Ports.TcpUri);
        await using (var client = new PipelineClient(options))
        {
            var aborts = 0;
            for (var i = 1; i <= Events; i++)
            {
                client.Log(PipelineLevel.Info, "tick", "nav", [new("i", i)]);
                if (i % 10_000 == 0)
                {
                    // Mid-stream, with events sent and not yet acknowledged: they must come again, and only once in the files.
                    // Each abort hits a new connection: the one after the previous abort.
                    await Poll.UntilAsync(client, () => client.IsConnected && client.Reconnects >= aborts, TestClients.Deadline,
                        () => $"connected {client.IsConnected}, reconnects {client.Reconnects}, aborts {aborts}");
                    client.AbortConnection();
                    aborts++;
                }
            }

            await client.FlushAsync(TestClients.Deadline);
            Assert.True(client.Reconnects >= aborts, $"reconnects {client.Reconnects}, aborts {aborts}");
            Assert.Equal(Events, client.Acknowledged);
        }

        await service.StopAsync();
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(LogFiles.ReadBoot(service.LogsDir, options.BootId)), 1, Events);
    }

    [Fact]
    public async Task ACrashedAndRestartedServiceTellsWhereToResumeAndNothingIsWrittenTwice()
    {
        var ports = ServicePorts.Free();
        var dataDir = PipelineService.NewDataDir();
        var service = await PipelineService.StartAsync(ports, dataDir);
        var options = TestClients.Options(ports.WebSocket);
        try
        {
            await using (var client = new PipelineClient(options))
            {
                for (var i = 0; i < 1_000; i++)
                {
                    client.Log(PipelineLevel.Info, "first life");
                }

                await client.FlushAsync(TestClients.Deadline);
                await service.KillAsync();
                await service.DisposeAsync();
                for (var i = 0; i < 1_000; i++)
                {
                    client.Log(PipelineLevel.Info, "second life");
                }

                service = await PipelineService.StartAsync(ports, dataDir);
                await client.FlushAsync(TestClients.Deadline);
                Assert.Equal(2_000, client.AcknowledgedSeq);
                Assert.True(client.Reconnects >= 1);
            }

            await service.StopAsync();
            var events = LogFiles.ReadBoot(service.LogsDir, options.BootId);
            LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(events), 1, 2_000);
            Assert.Equal("second life", events[^1].GetProperty("msg").GetString());
        }
        finally
        {
            await service.DisposeAsync();
            PipelineService.DeleteDataDir(dataDir);
        }
    }

    [Fact]
    public async Task ManyThreadsLoggingAtOnceGetDistinctSeqsAndAllAreWritten()
    {
        const int Threads = 8;
        const int PerThread = 2_000;
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(service.Ports.TcpUri);
        await using (var client = new PipelineClient(options))
        {
            var seqs = new long[Threads][];
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
            {
                seqs[t] = new long[PerThread];
                for (var i = 0; i < PerThread; i++)
                {
                    seqs[t][i] = client.Log(PipelineLevel.Debug, "worker", attributes: [new("thread", t)]);
                }
            })));

            var all = seqs.SelectMany(s => s).Order().ToArray();
            Assert.Equal(Enumerable.Range(1, Threads * PerThread).Select(i => (long)i), all);
            await client.FlushAsync(TestClients.Deadline);
        }

        await service.StopAsync();
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(LogFiles.ReadBoot(service.LogsDir, options.BootId)), 1, Threads * PerThread);
    }
}
