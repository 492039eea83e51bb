using Pipeline.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.EndToEnd.Tests;

/// <summary>The real executable, stopped the way service managers stop it: SIGTERM.</summary>
public sealed class ProcessShutdownTests(ITestOutputHelper output)
{
    private const int Events = 20_000;

    [Fact]
    public async Task SigtermWithAnOpenConnectionExitsZeroAndEveryAcceptedEventIsInTheFiles()
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
        using var client = await pipeline.ConnectTcpAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Ndjson.Events(0, Events));
        await stream.FlushAsync();

        // The connection stays open. On SIGTERM the service stops reading each connection after framing
        // what already arrived in its pipe, so bytes still in the kernel's socket buffers at that moment
        // were never accepted and are legitimately not written. To test "nothing accepted is lost" without
        // a race, wait until the service counts all N as accepted (handed to the graph). Another process
        // cannot signal us, so poll /metrics, with a bounded number of attempts.
        var accepted = 0.0;
        for (var attempt = 0; attempt < 300 && accepted < Events; attempt++)
        {
            accepted = await pipeline.MetricAsync("pipeline_ingest_events_total", "protocol=\"tcp\"");
            if (accepted < Events)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(Events, accepted);

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
