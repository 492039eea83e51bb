using System.Net.Sockets;
using System.Text;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>
/// The service with one alert rule (any ERROR of a robot fires <c>robot_error</c> for it), fed by two
/// WebSocket robots that answer commands and one TCP robot, each with a few events.
/// </summary>
public sealed class AlertingDashboardService() : DashboardService(Settings)
{
    public const string Rule = "robot_error";

    private const string Settings = """
        {"Pipeline":{"Alerts":{"Rules":[{"Name":"robot_error","Kind":"threshold","Match":{"MinLevel":"ERROR"},"Window":"00:10:00",
          "Threshold":1,"GroupBy":["robot_id"],"Severity":"warning","Annotations":{"summary":"{{robot_id}}: {{count}} errors"}}]}}}
        """;

    private TcpClient? _tcp;

    public SimulatedRobot Amr1 { get; private set; } = null!;

    public SimulatedRobot Amr2 { get; private set; } = null!;

    public const string TcpRobot = "arm-07";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Amr1 = await SimulatedRobot.ConnectAsync(Pipeline.HttpPort, "amr-01");
        Amr2 = await SimulatedRobot.ConnectAsync(Pipeline.HttpPort, "amr-02");
        for (var i = 0; i < 5; i++)
        {
            await Amr1.SendEventAsync("INFO", $"motor temperature {40 + i} C");
            await Amr2.SendEventAsync("INFO", $"reached waypoint {i} in zone hall-2");
        }

        await Amr1.SendEventAsync("WARNING", "battery at 18 percent");
        _tcp = await Pipeline.ConnectTcpAsync();
        var lines = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            lines.Append($$"""{"robot_id":"{{TcpRobot}}","level":"INFO","type":"log","msg":"gripper cycle {{i}} done"}""").Append('\n');
        }

        await _tcp.GetStream().WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()));
    }

    public override async Task DisposeAsync()
    {
        await Amr1.DisposeAsync();
        await Amr2.DisposeAsync();
        _tcp?.Dispose();
        await base.DisposeAsync();
    }
}
