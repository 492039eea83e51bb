using Pipeline.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.EndToEnd.Tests;

/// <summary>The real executable, stopped the way service managers stop it: SIGTERM.</summary>
public sealed class ProcessShutdownTests(ITestOutputHelper output)
{
    private const int Events = 20_000;

    [Fact]
    public async Task SigtermWithAnOpenConnectionExitsZeroClosesItWithAFinAndEveryAcceptedEventIsInTheFiles()
    {
        await using var pipeline = await PipelineProcess.StartAsync();
        try
        {
            await SendTerminateAndCheckAsync(pipeline);
        }
        finally
        {
            // The child's own log (start, drain, exit), for when this fails.
            output.WriteLine(pipeline.Output);
        }
    }

    private static async Task SendTerminateAndCheckAsync(PipelineProcess pipeline)
    {
        // A robot that stays connected (and silent) through the SIGTERM: the service must close it with a FIN.
        using var client = await pipeline.ConnectTcpAsync();
        var stream = client.GetStream();

        // Another robot sends everything and closes its sending side. The service closes a connection after
        // it framed and handed on what it read to its end, so once this one is closed every event is accepted
        // (no polling: the server's FIN is the signal). What is still in the graph then must reach the files.
        using (var sender = await pipeline.ConnectTcpAsync())
        {
            var sent = sender.GetStream();
            await sent.WriteAsync(Ndjson.Events(0, Events));
            sender.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var rest = new byte[256];
            while (await sent.ReadAsync(rest) > 0)
            {
            }
        }

        Assert.Equal(Events, await pipeline.MetricAsync("pipeline_ingest_events_total", "protocol=\"tcp\""));

        await pipeline.TerminateAsync();
        var exitCode = await pipeline.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"exit code {exitCode}. Output:\n{pipeline.Output}");

        // The server closed our connection on its way out, with a FIN (a reset would mean unread data).
        int read;
        try
        {
            read = await stream.ReadAsync(new byte[16]);
        }
        catch (IOException ex)
        {
            Assert.Fail($"the server reset the connection instead of closing it: {ex.Message}");
            throw;
        }

        Assert.Equal(0, read);

        Assert.NotEmpty(Lz4Files.List(pipeline.LogsDir));
        Ndjson.AssertEverySeqOnce(await Lz4Files.ReadWithLz4CatAsync(pipeline.LogsDir), Events);
        Ndjson.AssertEverySeqOnce(Lz4Files.ReadWithK4os(pipeline.LogsDir), Events);
    }
}
