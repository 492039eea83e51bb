using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Acks;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Acks;
using Pipeline.Tests.Shared;
using Pipeline.Tests.Shared.Acks;

namespace Pipeline.Storage.Tests.Acks;

/// <summary>The registry of acknowledged boots: bounded, forgetting the quiet ones, saved and recovered across restarts.</summary>
public sealed class AckRegistryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private AckRegistry NewRegistry(AckOptions? options = null) =>
        new(options ?? new AckOptions(), Path.Combine(_dir.Path, "acks"), Path.Combine(_dir.Path, "logs"), new AckMetrics(_metrics), _time, NullLogger.Instance);

    private void MakeDurable(AckStream stream, long upTo)
    {
        var owner = new RecordingAckOwner();
        stream.Claim(owner, _time.GetUtcNow().ToUnixTimeMilliseconds());
        AckToken? token = null;
        for (var seq = stream.Accepted + 1; seq <= upTo; seq++)
        {
            stream.Accept(owner, seq, ref token, 0, out _);
        }

        token!.MarkDurable();
        stream.Release(owner);
    }

    [Fact]
    public async Task Past_MaxStreams_the_longest_quiet_boots_are_forgotten_and_counted()
    {
        using var registry = NewRegistry(new AckOptions { MaxStreams = 100 });
        await registry.StartAsync(CancellationToken.None);
        for (var i = 0; i < 150; i++)
        {
            registry.Open("r1", $"boot-{i}");
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(registry.Count, 1, 100);
        Assert.True(registry.Find("r1", "boot-149") is not null, "the newest boot is kept");
        Assert.Null(registry.Find("r1", "boot-0"));
        Assert.Equal(150 - registry.Count, new AckMetrics(_metrics).Evicted.Value);
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_boot_with_no_event_for_StreamRetention_is_forgotten_when_the_state_is_saved()
    {
        using var registry = NewRegistry(new AckOptions { StreamRetention = TimeSpan.FromHours(1) });
        await registry.StartAsync(CancellationToken.None);
        MakeDurable(registry.Open("r1", "old"), 5);
        _time.Advance(TimeSpan.FromHours(2));
        MakeDurable(registry.Open("r1", "new"), 5);
        registry.OnSynced([], null);

        registry.SaveIfDirty();

        Assert.Null(registry.Find("r1", "old"));
        Assert.NotNull(registry.Find("r1", "new"));
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_snapshot_holds_each_boots_durable_seq_and_a_new_registry_starts_from_it()
    {
        using (var registry = NewRegistry())
        {
            await registry.StartAsync(CancellationToken.None);
            MakeDurable(registry.Open("r1", "b1"), 12);
            MakeDurable(registry.Open("r2", "b9"), 3);
            registry.OnSynced([], null);
            await registry.StopAsync(CancellationToken.None);
        }

        using var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir.Path, "acks", "streams.json")));
        Assert.Equal(2, snapshot.RootElement.GetProperty("streams").GetArrayLength());
        using var again = NewRegistry();
        await again.StartAsync(CancellationToken.None);
        Assert.Equal(12, again.Find("r1", "b1")!.Durable);
        Assert.Equal(3, again.Find("r2", "b9")!.Durable);
        await again.StopAsync(CancellationToken.None);
    }
}
