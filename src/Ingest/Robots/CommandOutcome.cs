using System.Text.Json;

namespace Pipeline.Ingest.Robots;

/// <summary>What became of one command; <see cref="RobotResult"/> (the response's <c>result</c>) and <see cref="Error"/> are the robot's own.</summary>
internal sealed record CommandOutcome(
    CommandStatus Status,
    string RobotId,
    string Command,
    string? CommandId,
    long Session,
    bool Success,
    JsonElement? RobotResult,
    string? Error,
    double? SendMs,
    double? ExecuteMs,
    string Message)
{
    public static CommandOutcome Refused(CommandStatus status, string robotId, string command, string message, string? commandId = null, long session = 0) =>
        new(status, robotId, command, commandId, session, false, null, null, null, null, message);
}
