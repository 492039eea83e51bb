namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// The fields of a files line that the filters and counts look at, as slices of the line (strings still JSON-escaped,
/// as the robot sent them; <see cref="Escaped"/> says whether any of them holds a backslash).
/// </summary>
internal ref struct EventHead
{
    public long Ts;
    public long ReceivedAt;
    public int Level;
    public ReadOnlySpan<byte> RobotId;
    public ReadOnlySpan<byte> Type;
    public ReadOnlySpan<byte> Msg;
    public bool Escaped;
}
