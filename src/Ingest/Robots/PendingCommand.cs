namespace Pipeline.Ingest.Robots;

/// <summary>A command written to a robot and waiting for its <c>command_response</c>.</summary>
internal sealed class PendingCommand
{
    public PendingCommand(string id, RobotEntry robot, RobotSession session, string command)
    {
        Id = id;
        Robot = robot;
        Session = session;
        Command = command;
    }

    public string Id { get; }
    public RobotEntry Robot { get; }
    public RobotSession Session { get; }
    public string Command { get; }

    /// <summary>When the command was on the robot's socket (set before it can be answered).</summary>
    public DateTimeOffset SentAt { get; set; }

    /// <summary>Completed by the response, or by the session's end.</summary>
    public TaskCompletionSource<CommandResponse?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
