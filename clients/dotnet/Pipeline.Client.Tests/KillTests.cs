using Pipeline.Client.Tests.Infrastructure;

namespace Pipeline.Client.Tests;

/// <summary>The test that kills things: the service SIGKILLed and restarted twice and the client's socket aborted, mid-stream.</summary>
public sealed class KillTests
{
    private const int Events = 200_000;

    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task EverySeqIsWrittenExactlyOnceInOrderThroughTwoKillsAndAnAbort(string transport)
    {
        var ports = ServicePorts.Free();
        var dataDir = PipelineService.NewDataDir();
        var service = await PipelineService.StartAsync(ports, dataDir);
        var options = TestClients.Options(transport == "ws" ? ports.WebSocket : ports.TcpUri);
        try
        {
            await using (var client = new PipelineClient(options))
            {
                var producer = Task.Run(() =>
                {
                    for (var i = 1; i <= Events; i++)
                    {
                        client.Log(PipelineLevel.Info, "pose", "nav", [new("i", i)]);
                    }
                });

                // Each disruption comes while events flow: some given, some acknowledged, more in flight.
                service = await KillAndRestartAsync(client, service, ports, dataDir, 40_000, 1, reconnects: 0);
                await DisruptAt(client, 100_000, 40_001, reconnects: 1, () => Task.Run(client.AbortConnection));
                service = await KillAndRestartAsync(client, service, ports, dataDir, 150_000, 100_001, reconnects: 2);

                await producer.WaitAsync(TimeSpan.FromMinutes(3));
                await client.FlushAsync(TimeSpan.FromMinutes(2));
                Assert.Equal(Events, client.AcknowledgedSeq);
                Assert.Equal(Events, client.Acknowledged);
                Assert.Equal(0, client.Dropped);
                Assert.True(client.Reconnects >= 3, $"reconnects {client.Reconnects}");
            }

            await service.StopAsync();
            LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(LogFiles.ReadBoot(service.LogsDir, options.BootId)), 1, Events);
        }
        finally
        {
            await service.DisposeAsync();
            PipelineService.DeleteDataDir(dataDir);
        }
    }

    private static async Task<PipelineService> KillAndRestartAsync(PipelineClient client, PipelineService service, ServicePorts ports, string dataDir, long at, long acknowledged, long reconnects)
    {
        await DisruptAt(client, at, acknowledged, reconnects, service.KillAsync);
        await service.DisposeAsync();
        return await PipelineService.StartAsync(ports, dataDir);
    }

    /// <summary>
    /// Once <paramref name="at"/> events were given, the server acknowledged past <paramref name="acknowledged"/> (it is up
    /// and writing) and the client is on the connection after the previous disruption (<paramref name="reconnects"/>).
    /// </summary>
    private static async Task DisruptAt(PipelineClient client, long at, long acknowledged, long reconnects, Func<Task> disrupt)
    {
        await Poll.UntilAsync(client, () => client.LastSeq >= at && client.AcknowledgedSeq >= acknowledged && client.Reconnects >= reconnects && client.IsConnected, TimeSpan.FromMinutes(2),
            () => $"given {client.LastSeq}, acknowledged {client.AcknowledgedSeq}, reconnects {client.Reconnects}, connected {client.IsConnected}");
        await disrupt();
    }
}
