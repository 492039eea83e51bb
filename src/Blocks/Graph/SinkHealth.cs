namespace Pipeline.Blocks.Graph;

public enum SinkHealth
{
    Healthy,

    /// <summary>The destination is down; batches go to the disk spool. Still ready: nothing is lost.</summary>
    Spooling,

    /// <summary>
    /// Spooling, and the destination has not answered once since the service started (a wrong host or
    /// wrong credentials, most likely): not ready, so the mistake shows at deploy time. Nothing is lost.
    /// </summary>
    Unreachable,

    /// <summary>The sink cannot take data (its disk failed, its spool is full).</summary>
    Failed,
}
