namespace Pipeline.Blocks.Events;

/// <summary>
/// What the parse block tells the robot sessions about a connection: its control messages (which are not
/// log events and leave the batch) and the robot its first event names. Called from parse workers, in
/// parallel: implementations are thread-safe and quick.
/// </summary>
public interface ISessionObserver
{
    /// <summary>A control message (<see cref="ControlMessages"/>) arrived on <paramref name="source"/>; <paramref name="line"/> is its JSON.</summary>
    void OnControl(SourceConnection source, ControlMessage kind, ReadOnlySpan<byte> line);

    /// <summary>An event on a connection that had no robot yet named <paramref name="robotId"/> (JSON-escaped UTF-8).</summary>
    void OnRobotNamed(SourceConnection source, ReadOnlySpan<byte> robotId);
}
