namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>One message of a payload, as offsets into it (see <see cref="MessageFormat"/>).</summary>
internal readonly record struct RabbitMqMessage(
    int Offset,
    int Length,
    MessageKind Kind,
    byte Level,
    short LevelCode,
    ulong TemplateId,
    int Events,
    Range Exchange,
    Range RoutingKey,
    Range RobotId,
    Range Body);

internal enum MessageKind : byte
{
    /// <summary>One event's JSON line.</summary>
    Json = 0,

    /// <summary>An LZ4 frame of NDJSON lines.</summary>
    Lz4Ndjson = 1,
}
