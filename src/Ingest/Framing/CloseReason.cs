namespace Pipeline.Ingest.Framing;

/// <summary>Why a connection's read loop ended (the <c>reason</c> label of closed connections).</summary>
internal enum CloseReason
{
    EndOfStream,
    IdleTimeout,
    Shutdown,

    /// <summary>The hello asked for what the service cannot give (acks without the files sink, a hello without boot_id): told and closed.</summary>
    Refused,
}
