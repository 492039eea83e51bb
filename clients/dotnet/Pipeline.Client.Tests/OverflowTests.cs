using Pipeline.Client.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Client.Tests;

/// <summary>A full buffer while the service is not there (nothing acknowledges): each policy, then the service comes and everything left is delivered.</summary>
public sealed class OverflowTests
{
    [Fact]
    public async Task BlockTakesTheFirstNEventsAndMakesTheNextCallerWaitForAcks()
    {
        const int Capacity = 10;
        var ports = ServicePorts.Free();
        var options = TestClients.Options(ports.WebSocket);
        options.MaxBufferedEvents = Capacity;
        await using var client = new PipelineClient(options);
        for (var i = 1; i <= Capacity; i++)
        {
            Assert.True(client.TryEnqueue(PipelineLevel.Info, "fits", out var seq));
            Assert.Equal(i, seq);
        }

        Assert.False(client.TryEnqueue(PipelineLevel.Info, "does not fit", out var none));
        Assert.Equal(0, none);
        var blocked = Task.Run(() => client.Log(PipelineLevel.Info, "waits for room"));
        await Poll.UntilAsync(client, () => client.BlockedCallers == 1, TestClients.Deadline, () => "the caller did not block");
        Assert.False(blocked.IsCompleted);
        Assert.Equal(0, client.Dropped);

        await using var service = await PipelineService.StartAsync(ports);
        Assert.Equal(Capacity + 1, await blocked.WaitAsync(TestClients.Deadline));
        await client.FlushAsync(TestClients.Deadline);
        await service.StopAsync();
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(LogFiles.ReadBoot(service.LogsDir, options.BootId)), 1, Capacity + 1);
    }

    [Fact]
    public async Task ABlockedCallerGivesUpWhenItsTokenIsCancelled()
    {
        var options = TestClients.Options(ServicePorts.Free().WebSocket);
        options.MaxBufferedEvents = 1;
        options.CloseTimeout = TimeSpan.Zero; // nothing will acknowledge: do not wait at the end
        await using var client = new PipelineClient(options);
        client.Log(PipelineLevel.Info, "fits");
        using var cancel = new CancellationTokenSource();
        var blocked = Task.Run(() => client.Log(PipelineLevel.Info, "waits", cancellationToken: cancel.Token));
        await Poll.UntilAsync(client, () => client.BlockedCallers == 1, TestClients.Deadline, () => "the caller did not block");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(TestClients.Deadline));
        Assert.Equal(1, client.LastSeq);
    }

    [Fact]
    public async Task ClosingWakesABlockedCallerWithObjectDisposed()
    {
        var options = TestClients.Options(ServicePorts.Free().WebSocket);
        options.MaxBufferedEvents = 1;
        var client = new PipelineClient(options);
        client.Log(PipelineLevel.Info, "fits");
        var blocked = Task.Run(() => client.Log(PipelineLevel.Info, "waits"));
        await Poll.UntilAsync(client, () => client.BlockedCallers == 1, TestClients.Deadline, () => "the caller did not block");
        await Assert.ThrowsAsync<PipelineFlushTimeoutException>(() => client.CloseAsync(TimeSpan.Zero));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => blocked.WaitAsync(TestClients.Deadline));
    }

    [Fact]
    public async Task DropOldestKeepsTheNewestNAndCountsTheRestAndTheServerReportsTheGap()
    {
        const int Capacity = 10;
        const int Events = 25;
        var ports = ServicePorts.Free();
        var options = TestClients.Options(ports.TcpUri);
        options.MaxBufferedEvents = Capacity;
        options.OverflowPolicy = OverflowPolicy.DropOldest;
        await using var client = new PipelineClient(options);
        for (var i = 1; i <= Events; i++)
        {
            Assert.Equal(i, client.Log(PipelineLevel.Info, "newest wins"));
        }

        Assert.Equal(Events - Capacity, client.Dropped);
        Assert.Equal(Capacity, client.Unacknowledged);

        await using var service = await PipelineService.StartAsync(ports);
        await client.FlushAsync(TestClients.Deadline);
        Assert.Equal(Events, client.AcknowledgedSeq);
        Assert.Equal(Capacity, client.Acknowledged);
        await service.StopAsync();
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(LogFiles.ReadBoot(service.LogsDir, options.BootId)), Events - Capacity + 1, Events);
        Assert.Contains(LogFiles.ReadLines(service.LogsDir), line => line.Contains("\"seq_gap\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventsBeyondMemoryWaitInTheSpillAndAreDeliveredInOrder()
    {
        const int Events = 3_000;
        using var spill = new TempDirectory();
        var ports = ServicePorts.Free();
        var options = TestClients.Options(ports.WebSocket);
        options.MaxBufferedEvents = 100;
        options.MaxBatchBytes = 1024;
        options.MaxBufferedBytes = 16 * 1024;
        options.SpillDirectory = spill.Path;
        await using var client = new PipelineClient(options);
        for (var i = 1; i <= Events; i++)
        {
            Assert.True(client.TryEnqueue(PipelineLevel.Info, "kept on disk meanwhile", out _, attributes: [new("i", i)]));
        }

        Assert.True(client.Spilled >= Events - 100, $"spilled {client.Spilled}");
        Assert.NotEmpty(spill.Files("*.ndjson"));

        await using var service = await PipelineService.StartAsync(ports);
        await client.FlushAsync(TestClients.Deadline);
        Assert.Equal(Events, client.Acknowledged);
        Assert.Equal(0, client.Spilled);
        Assert.Empty(spill.Files("*.ndjson"));
        await service.StopAsync();
        var events = LogFiles.ReadBoot(service.LogsDir, options.BootId);
        LogFiles.AssertExactlyOnceInOrder(LogFiles.Seqs(events), 1, Events);
        Assert.Equal(Events, events[^1].GetProperty("attrs").GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task WhenTheSpillIsFullTooThePolicyApplies()
    {
        using var spill = new TempDirectory();
        var options = TestClients.Options(ServicePorts.Free().WebSocket);
        options.MaxBufferedEvents = 10;
        options.MaxBatchBytes = 1024;
        options.MaxBufferedBytes = 1024;
        options.SpillDirectory = spill.Path;
        options.MaxSpillBytes = 4096;
        options.CloseTimeout = TimeSpan.Zero;
        await using var client = new PipelineClient(options);
        var taken = 0;
        while (client.TryEnqueue(PipelineLevel.Info, "fill", out _))
        {
            taken++;
            Assert.True(taken < 1_000, "the spill is not bounded");
        }

        Assert.True(taken > 10, $"only {taken} taken: nothing spilled");
        Assert.True(client.Spilled > 0);
        Assert.Equal(taken, client.Unacknowledged);
    }
}
