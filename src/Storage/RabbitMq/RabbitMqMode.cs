namespace Pipeline.Storage.RabbitMq;

/// <summary>What one RabbitMQ message holds (<c>Pipeline:Sinks:RabbitMq:Mode</c>).</summary>
public enum RabbitMqMode
{
    /// <summary>One persistent message per event (and target): the files' JSON line, <c>application/json</c>.</summary>
    Event,

    /// <summary>One message per routing key in a sealed batch: an LZ4 frame of NDJSON, <c>application/x-ndjson</c> + <c>lz4</c>.</summary>
    Batch,
}
