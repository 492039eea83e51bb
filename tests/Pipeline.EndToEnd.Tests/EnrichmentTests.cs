using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Graph;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Fleet metadata from the registry file ends up on every event in the files, and follows a reload.</summary>
public sealed class EnrichmentTests : IDisposable
{
    private const int EventsPerPhase = 200;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pipeline-tests", "registry-" + Guid.NewGuid().ToString("N"));

    public EnrichmentTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task EventsCarryRegistryMetadataAndNewEventsCarryTheReloadedMetadata()
    {
        var registry = Path.Combine(_directory, "fleet.csv");
        await File.WriteAllTextAsync(registry, "robot_id,name,site,model\nr1,Rover One,Lyon,RX-1\nr2,\"Rover, Two\",Nantes,RX-2\n");
        // Sees each event only after enrich has processed it, so the reload cannot overtake the first phase.
        var probe = new GatedSink("probe", boundedCapacity: 8, open: true, record: false);
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Enrich:RegistryPath"] = registry },
            s => s.AddSingleton<IEventSink>(probe));

        await pipeline.SendTcpAsync(Ndjson.Events(0, EventsPerPhase, "r1"));
        await probe.WaitForEventsAsync(EventsPerPhase);

        // Replaced the way deploy tools do it (write aside, rename over), with a newer timestamp, so the
        // file watcher can never see it half-written.
        var staged = registry + ".new";
        await File.WriteAllTextAsync(staged, "robot_id,name,site,model\nr1,Rover Uno,Paris,RX-9\n");
        File.SetLastWriteTimeUtc(staged, DateTime.UtcNow.AddMinutes(1));
        File.Move(staged, registry, overwrite: true);
        var source = Assert.IsType<FileFleetRegistrySource>(pipeline.Services.GetRequiredService<IFleetRegistrySource>());
        source.Reload();
        Assert.Equal("Rover Uno", source.Current.Find("r1")?.Name);

        await pipeline.SendTcpAsync(Ndjson.Events(EventsPerPhase, EventsPerPhase, "r1"));
        await pipeline.StopAsync();

        var lines = Lz4Files.ReadWithK4os(pipeline.LogsDir);
        Ndjson.AssertEverySeqOnce(lines, 2 * EventsPerPhase);
        foreach (var line in lines)
        {
            var before = Ndjson.Seq(line) < EventsPerPhase;
            Assert.Equal(before ? "Rover One" : "Rover Uno", Ndjson.Field(line, "robot_name"));
            Assert.Equal(before ? "Lyon" : "Paris", Ndjson.Field(line, "site"));
            Assert.Equal(before ? "RX-1" : "RX-9", Ndjson.Field(line, "model"));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
