namespace Pipeline.Ingest.Framing;

/// <summary>Why a connection's read loop ended (the <c>reason</c> label of closed connections).</summary>
internal enum CloseReason
{
    EndOfStream,
    IdleTimeout,
    Shutdown,
}
