using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>The service with ops tokens on (<c>Pipeline:Auth:OpsTokensPath</c>): every /api call needs <see cref="Token"/>.</summary>
public sealed class OpsTokenDashboardService() : DashboardService(Settings())
{
    public const string Token = "dashboard-test-token-5b1c";

    private static readonly string TokensFile = Path.Combine(Path.GetTempPath(), "pipeline-dashboard-tests", Guid.NewGuid().ToString("N") + "-ops-tokens.json");

    public SimulatedRobot Robot { get; private set; } = null!;

    private static string Settings()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(TokensFile)!);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
        File.WriteAllText(TokensFile, $$"""{"operator":"{{hash}}"}""");
        return """{"Pipeline":{"Auth":{"OpsTokensPath":""" + System.Text.Json.JsonSerializer.Serialize(TokensFile) + "}}}";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Robot = await SimulatedRobot.ConnectAsync(Pipeline.HttpPort, "amr-09");
        await Robot.SendEventAsync("INFO", "docked at charger 3");
    }

    public override async Task DisposeAsync()
    {
        await Robot.DisposeAsync();
        await base.DisposeAsync();
        File.Delete(TokensFile);
    }
}
