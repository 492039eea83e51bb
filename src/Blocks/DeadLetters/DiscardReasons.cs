namespace Pipeline.Blocks.DeadLetters;

/// <summary>The <c>reason</c> label values of <c>pipeline_component_discarded_events_total</c>.</summary>
public static class DiscardReasons
{
    public const string EmptyLine = "empty_line";
    public const string InvalidUtf8 = "invalid_utf8";
    public const string NotAnObject = "not_an_object";
    public const string MalformedJson = "malformed_json";
    public const string LineTooLong = "line_too_long";
    public const string TruncatedLine = "truncated_line";
    public const string BinaryFrame = "binary_frame";

    /// <summary>An authenticated robot sent an event with another robot's <c>robot_id</c>.</summary>
    public const string RobotIdMismatch = "robot_id_mismatch";
    /// <summary>A re-sent event of an acknowledged robot boot (its seq already taken): dropped, never written twice.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A seq that jumped implausibly far ahead of its boot's highest (a robot's bug): refused so later real seqs still count.</summary>
    public const string SeqOutOfRange = "seq_out_of_range";

    /// <summary>An event on a connection whose boot a newer connection took over (or that must re-send): the robot sends it again there.</summary>
    public const string Superseded = "superseded";
    public const string TargetDeclined = "target_declined";
    public const string Failed = "failed";

    /// <summary>A RabbitMQ message no queue is bound for, after every attempt (dead-lettered).</summary>
    public const string Unroutable = "unroutable";
}
