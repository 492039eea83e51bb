namespace Pipeline.Ingest.Robots;

/// <summary>How a command ended, which the API turns into its status code.</summary>
internal enum CommandStatus
{
    /// <summary>The robot answered (successfully or not): 200.</summary>
    Answered,

    /// <summary>The robot has no open session: 409 at once.</summary>
    Offline,

    /// <summary>The robot is online, but only over TCP, which carries no commands: 409.</summary>
    NoCommandSession,

    /// <summary>The robot's session ended while the command waited: 409.</summary>
    SessionEnded,

    /// <summary>The command could not be written to the robot's socket: 409.</summary>
    SendFailed,

    /// <summary>The robot has <c>MaxCommandsInFlight</c> commands waiting already: 429.</summary>
    TooMany,

    /// <summary>No answer within the deadline: 504.</summary>
    Timeout,
}
