namespace Pipeline.Ingest.Robots;

/// <summary>The parts of a robot's last-known state, each with its command and its TTL.</summary>
internal enum RobotStateKind
{
    Status = 0,
    Config = 1,
    Logs = 2,
}
