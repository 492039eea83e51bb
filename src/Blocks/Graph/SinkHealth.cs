namespace Pipeline.Blocks.Graph;

public enum SinkHealth
{
    Healthy,

    /// <summary>The destination is down; batches go to the disk spool. Still ready: nothing is lost.</summary>
    Spooling,

    /// <summary>The sink cannot take data (its disk failed, its spool is full).</summary>
    Failed,
}
