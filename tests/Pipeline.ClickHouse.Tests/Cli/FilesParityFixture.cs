using System.Text;
using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.ClickHouse.Tests.Cli;

/// <summary>The parity events written once by one real service to both sinks: a ClickHouse database and kept rolling files.</summary>
public sealed class FilesParityFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-tests", "parity-" + Guid.NewGuid().ToString("N"));

    public string Database { get; } = ClickHouseServer.NewDatabase();

    public string DataDir => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        if (ClickHouseServer.UrlOrNull is null)
        {
            return;
        }

        Directory.CreateDirectory(_root);
        var registry = Path.Combine(_root, "fleet.csv");
        await File.WriteAllTextAsync(registry, "robot_id,name,site,model\nr-1,Robot r-1,lab,RX\nr-2,Robot r-2,lab,RX\nr-3,Robot r-3,dock,RX\n");
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Sinks:ClickHouse:ConnectionString"] = ClickHouseServer.Shared.Url,
            ["Sinks:ClickHouse:Database"] = Database,
            ["Enrich:RegistryPath"] = registry,
        });
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(FilesParityTests.Lines(DateTimeOffset.UtcNow)));
        await pipeline.StopAsync(); // both sinks flushed
        var logs = Path.Combine(DataDir, "logs");
        Directory.CreateDirectory(logs);
        foreach (var file in Directory.GetFiles(pipeline.LogsDir))
        {
            File.Copy(file, Path.Combine(logs, Path.GetFileName(file)));
        }
    }

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(Database);
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
