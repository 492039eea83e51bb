namespace Pipeline.Ingest.Robots;

internal static class RobotStateKinds
{
    public static readonly RobotStateKind[] All = [RobotStateKind.Status, RobotStateKind.Config, RobotStateKind.Logs];

    /// <summary>The command that asks the robot for it (DESIGN: get_status, get_config, get_logs).</summary>
    public static string Command(this RobotStateKind kind) => kind switch
    {
        RobotStateKind.Status => "get_status",
        RobotStateKind.Config => "get_config",
        _ => "get_logs",
    };

    public static string Name(this RobotStateKind kind) => kind switch
    {
        RobotStateKind.Status => "status",
        RobotStateKind.Config => "config",
        _ => "logs",
    };

    public static TimeSpan Ttl(this RobotStateKind kind, RobotsOptions options) => kind switch
    {
        RobotStateKind.Status => options.StatusTtl,
        RobotStateKind.Config => options.ConfigTtl,
        _ => options.LogsTtl,
    };

    /// <summary>The state a command's answer updates, if it is one of the three.</summary>
    public static RobotStateKind? ForCommand(string command) => command switch
    {
        "get_status" => RobotStateKind.Status,
        "get_config" => RobotStateKind.Config,
        "get_logs" => RobotStateKind.Logs,
        _ => null,
    };
}
