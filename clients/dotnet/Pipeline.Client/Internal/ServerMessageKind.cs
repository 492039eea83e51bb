namespace Pipeline.Client.Internal;

internal enum ServerMessageKind
{
    /// <summary>Heartbeats, commands, acks of other boots, types added later: ignored.</summary>
    Other,
    Ack,
    Error,
}
