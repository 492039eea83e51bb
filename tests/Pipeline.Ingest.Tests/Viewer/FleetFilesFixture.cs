using System.Globalization;
using System.Text;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>
/// Rolling files written by the real service (TCP ingest, enrichment from a fleet registry, the real files sink): the
/// same events as the ClickHouse CLI tests' EventsFixture, at the same distances before now, so the files source is
/// held to the answers the ClickHouse source gives.
/// </summary>
public sealed class FleetFilesFixture : IAsyncLifetime
{
    public static readonly (TimeSpan Ago, string Robot, string Level, string Type, string Msg, string Attrs)[] Events =
    [
        (TimeSpan.FromMinutes(5), "r-1", "CRITICAL", "motor", "Motor overheated on axis 1", "\"temp\":91.5"),
        (TimeSpan.FromMinutes(10), "r-1", "ERROR", "motor", "Motor stall on axis 2", ""),
        (TimeSpan.FromMinutes(15), "r-1", "INFO", "nav", "Reached waypoint 7", ""),
        (TimeSpan.FromMinutes(20), "r-2", "WARNING", "battery", "Battery low: 14%", "\"battery\":14"),
        (TimeSpan.FromMinutes(25), "r-2", "DEBUG", "nav", "it's a path with a \\\\ and 'quotes'", ""),
        (TimeSpan.FromHours(3), "r-3", "ERROR", "camera", "Camera lost frame sync", ""),
        (TimeSpan.FromDays(3), "r-3", "ERROR", "camera", "Old error from three days ago", ""),
    ];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "pipeline-tests", "viewer-" + Guid.NewGuid().ToString("N"));

    public string DataDir => Path.Combine(Root, "data");

    public string LogsDir => Path.Combine(DataDir, "logs");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var registry = Path.Combine(Root, "fleet.csv");
        await File.WriteAllTextAsync(registry, "robot_id,name,site,model\nr-1,Robot r-1,lab,RX\nr-2,Robot r-2,lab,RX\nr-3,Robot r-3,lab,RX\n");
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string> { ["Enrich:RegistryPath"] = registry });
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(Lines(DateTimeOffset.UtcNow)));
        await pipeline.StopAsync();
        // The pipeline deletes its data directory when disposed: keep the files for the tests.
        CopyDirectory(pipeline.LogsDir, LogsDir);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The kept files copied into a fresh data directory of their own (for tests that damage them).</summary>
    public string CopyDataDir()
    {
        var dataDir = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N")[..8]);
        CopyDirectory(LogsDir, Path.Combine(dataDir, "logs"));
        return dataDir;
    }

    public static string Lines(DateTimeOffset now)
    {
        var text = new StringBuilder();
        foreach (var (ago, robot, level, type, msg, attrs) in Events)
        {
            var ts = (now - ago).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"ts\":\"{ts}\",\"robot_id\":\"{robot}\",\"level\":\"{level}\",\"type\":\"{type}\",\"msg\":\"{msg}\"{(attrs.Length > 0 ? "," + attrs : "")}}}\n");
        }

        return text.ToString();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
