using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// The self-describing payload of a RabbitMQ <see cref="Sinks.SinkBatch"/>, which the spool keeps
/// as it is and replay hands back: a sequence of messages, each with what publishing it needs.
/// Little-endian, format tag <see cref="Version1"/>:
/// <code>
/// u8 kind (0 JSON event, 1 LZ4 NDJSON) | u8 level (0xFF mixed) | i16 level code (-1 none)
/// | u64 template id (0 none) | i32 events | u8 len + exchange | u8 len + routing key
/// | u16 len + robot id (0: none or mixed) | i32 len + body
/// </code>
/// Headers and properties are derived from these fields at publish, so the spool never holds
/// AMQP framing and a later version can publish what an older one spooled.
/// </summary>
internal static class MessageFormat
{
    /// <summary>The <see cref="Sinks.SinkBatch.Format"/> tag of this layout.</summary>
    public const ushort Version1 = 1;

    public const byte MixedLevel = 0xFF;

    /// <summary>Fixed part of a message: kind, level, level code, template id, events.</summary>
    public const int FixedBytes = 1 + 1 + 2 + 8 + 4;

    public static void WriteFixed(Span<byte> span, MessageKind kind, byte level, short levelCode, ulong templateId, int events)
    {
        span[0] = (byte)kind;
        span[1] = level;
        BinaryPrimitives.WriteInt16LittleEndian(span[2..], levelCode);
        BinaryPrimitives.WriteUInt64LittleEndian(span[4..], templateId);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], events);
    }

    /// <summary>Reads every message of <paramref name="payload"/> into <paramref name="messages"/>; throws on a payload this version cannot read.</summary>
    public static void Read(ushort format, ReadOnlySpan<byte> payload, List<RabbitMqMessage> messages)
    {
        if (format != Version1)
        {
            throw new InvalidDataException($"RabbitMQ payload format {format} is not known to this version (it reads {Version1}).");
        }

        messages.Clear();
        var at = 0;
        while (at < payload.Length)
        {
            var start = at;
            Need(payload, at, FixedBytes);
            var kind = (MessageKind)payload[at];
            var level = payload[at + 1];
            var levelCode = BinaryPrimitives.ReadInt16LittleEndian(payload[(at + 2)..]);
            var templateId = BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 4)..]);
            var events = BinaryPrimitives.ReadInt32LittleEndian(payload[(at + 12)..]);
            at += FixedBytes;
            var exchange = Field(payload, ref at, 1);
            var key = Field(payload, ref at, 1);
            var robot = Field(payload, ref at, 2);
            var body = Field(payload, ref at, 4);
            if (kind is not (MessageKind.Json or MessageKind.Lz4Ndjson) || events < 0)
            {
                throw new InvalidDataException($"RabbitMQ payload: bad message header at offset {start}.");
            }

            messages.Add(new RabbitMqMessage(start, at - start, kind, level, levelCode, templateId, events, exchange, key, robot, body));
        }
    }

    public static string Text(ReadOnlySpan<byte> payload, Range range) => Encoding.UTF8.GetString(payload[range]);

    private static Range Field(ReadOnlySpan<byte> payload, ref int at, int lengthBytes)
    {
        Need(payload, at, lengthBytes);
        var length = lengthBytes switch
        {
            1 => payload[at],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]),
            _ => BinaryPrimitives.ReadInt32LittleEndian(payload[at..]),
        };
        at += lengthBytes;
        if (length < 0)
        {
            throw new InvalidDataException($"RabbitMQ payload: negative length at offset {at - lengthBytes}.");
        }

        Need(payload, at, length);
        var range = new Range(at, at + length);
        at += length;
        return range;
    }

    private static void Need(ReadOnlySpan<byte> payload, int at, int bytes)
    {
        if (payload.Length - at < bytes)
        {
            throw new InvalidDataException($"RabbitMQ payload truncated at offset {at} (needs {bytes} more bytes, has {payload.Length - at}).");
        }
    }
}
