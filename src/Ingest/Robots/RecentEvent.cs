using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Blocks.Parse;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// An event as a robot's ring keeps it: its own fields as the batch holds them (JSON-escaped, after redaction),
/// copied behind a fixed header — a few copies per event, where rendering NDJSON for every event would cost as
/// much as the files sink's encoder. It is rendered when the API asks (<see cref="WriteJson"/>).
/// Layout: ts (8), received_at (8), template_id (8), level_code (2), then the lengths (4 each) and the bytes of
/// robot_id, type, msg, trace_id, span_id, hash and the attributes object.
/// </summary>
internal static class RecentEvent
{
    private const int Fields = 7;
    private const int Header = 8 + 8 + 8 + 2 + (Fields * 4);

    /// <summary>The bytes <see cref="Encode"/> writes for <paramref name="e"/>.</summary>
    public static int Size(ref readonly EventRecord e) =>
        Header + e.RobotId.Length + e.Type.Length + e.Msg.Length + e.TraceId.Length + e.SpanId.Length + e.Hash.Length + e.Attributes.Length;

    /// <summary>Writes <paramref name="e"/> into <paramref name="destination"/>, which holds at least <see cref="Size"/> bytes.</summary>
    public static void Encode(EventBatch batch, ref readonly EventRecord e, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, e.Timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], batch.ReceivedAt);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], e.TemplateId);
        BinaryPrimitives.WriteInt16LittleEndian(destination[24..], e.LevelCode);
        var at = Header;
        var length = 26;
        Put(batch[e.RobotId], destination, ref length, ref at);
        Put(batch[e.Type], destination, ref length, ref at);
        Put(batch[e.Msg], destination, ref length, ref at);
        Put(batch[e.TraceId], destination, ref length, ref at);
        Put(batch[e.SpanId], destination, ref length, ref at);
        Put(batch[e.Hash], destination, ref length, ref at);
        Put(batch[e.Attributes], destination, ref length, ref at);
    }

    /// <summary>
    /// The event as one JSON object, in the files' field order: <c>{"ts","received_at","level","level_code"?,"robot_id",
    /// "type","msg","trace_id","span_id","hash","template_id"?,"template_id_str"?,"attrs"?}</c> (empty fields left out).
    /// </summary>
    public static void WriteJson(ReadOnlySpan<byte> stored, EventLevel level, IBufferWriter<byte> output, TimestampFormatter timestamps)
    {
        var span = output.GetSpan((stored.Length * 2) + 320);
        var n = 0;
        SpanText.Raw(span, ref n, "{\"ts\":\""u8);
        timestamps.Format(BinaryPrimitives.ReadInt64LittleEndian(stored), span[n..]);
        n += TimestampFormatter.Length;
        SpanText.Raw(span, ref n, "\",\"received_at\":\""u8);
        timestamps.Format(BinaryPrimitives.ReadInt64LittleEndian(stored[8..]), span[n..]);
        n += TimestampFormatter.Length;
        SpanText.Raw(span, ref n, "\",\"level\":\""u8);
        SpanText.Raw(span, ref n, LevelParser.Name(level));
        span[n++] = (byte)'"';
        var code = BinaryPrimitives.ReadInt16LittleEndian(stored[24..]);
        if (code >= 0)
        {
            SpanText.Raw(span, ref n, ",\"level_code\":"u8);
            Utf8Formatter.TryFormat(code, span[n..], out var w);
            n += w;
        }

        var at = Header;
        var length = 26;
        SpanText.Field(span, ref n, ",\"robot_id\":\""u8, Take(stored, ref length, ref at));
        SpanText.Field(span, ref n, ",\"type\":\""u8, Take(stored, ref length, ref at));
        SpanText.Field(span, ref n, ",\"msg\":\""u8, Take(stored, ref length, ref at));
        SpanText.Field(span, ref n, ",\"trace_id\":\""u8, Take(stored, ref length, ref at));
        SpanText.Field(span, ref n, ",\"span_id\":\""u8, Take(stored, ref length, ref at));
        SpanText.Field(span, ref n, ",\"hash\":\""u8, Take(stored, ref length, ref at));
        var template = BinaryPrimitives.ReadUInt64LittleEndian(stored[16..]);
        if (template != 0)
        {
            JsonIds.Raw(span, ref n, ",\"template_id\":"u8, ",\"template_id_str\":\""u8, template);
        }

        var attributes = Take(stored, ref length, ref at);
        if (!attributes.IsEmpty)
        {
            SpanText.Raw(span, ref n, ",\"attrs\":"u8);
            SpanText.Raw(span, ref n, attributes);
        }

        span[n++] = (byte)'}';
        output.Advance(n);
    }

    private static void Put(ReadOnlySpan<byte> value, Span<byte> destination, ref int length, ref int at)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[length..], value.Length);
        length += 4;
        value.CopyTo(destination[at..]);
        at += value.Length;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> stored, ref int length, ref int at)
    {
        var size = BinaryPrimitives.ReadInt32LittleEndian(stored[length..]);
        length += 4;
        var value = stored.Slice(at, size);
        at += size;
        return value;
    }
}
