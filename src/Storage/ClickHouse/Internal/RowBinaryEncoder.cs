using System.Buffers.Binary;
using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// Writes events as RowBinary rows in the canonical column order of <see cref="ClickHouseSchema"/>:
/// ts Int64 ms, received_at Int64 ms, robot_id, robot_name, site, level Enum8, type, msg,
/// template_id UInt64, trace_id, span_id, hash, protocol, conn_id UInt64, ingest_node, attrs.
/// Strings are unescaped from the batch's JSON-escaped slices straight into the output; attrs is
/// JSON text already and is copied. No allocation per event. Not thread-safe: one per sink.
/// </summary>
internal sealed class RowBinaryEncoder
{
    private const int MaxVarInt = 5;
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();
    private readonly byte[] _source = new byte[2048];
    private SourceConnection? _sourceOf;
    private int _protocolLength;
    private int _nodeLength;

    /// <summary>Appends every event of <paramref name="batch"/> as one row each.</summary>
    public void Encode(EventBatch batch, InsertBuffer output)
    {
        CacheSource(batch.Source);
        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            Encode(batch, in events[i], output);
        }
    }

    private void Encode(EventBatch batch, ref readonly EventRecord e, InsertBuffer output)
    {
        var robot = e.Robot;
        var attrs = e.Attributes.IsEmpty ? EmptyObject : batch[e.Attributes];
        var max = (8 * 4) + 1 + (MaxVarInt * 12) +
                  e.RobotId.Length + e.Type.Length + e.Msg.Length + e.TraceId.Length + e.SpanId.Length + e.Hash.Length +
                  attrs.Length + _protocolLength + _nodeLength +
                  (robot is null ? 0 : robot.NameJson.Length + robot.SiteJson.Length);
        var span = output.GetRowSpan(max);
        var n = 0;
        BinaryPrimitives.WriteInt64LittleEndian(span, e.Timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], batch.ReceivedAt);
        n = 16;
        Escaped(span, ref n, batch[e.RobotId]);
        Escaped(span, ref n, robot is null ? default : robot.NameJson);
        Escaped(span, ref n, robot is null ? default : robot.SiteJson);
        span[n++] = (byte)e.Level;
        Escaped(span, ref n, batch[e.Type]);
        Escaped(span, ref n, batch[e.Msg]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[n..], e.TemplateId);
        n += 8;
        Escaped(span, ref n, batch[e.TraceId]);
        Escaped(span, ref n, batch[e.SpanId]);
        Escaped(span, ref n, batch[e.Hash]);
        Raw(span, ref n, _source.AsSpan(0, _protocolLength));
        BinaryPrimitives.WriteUInt64LittleEndian(span[n..], (ulong)batch.Source.Id);
        n += 8;
        Raw(span, ref n, _source.AsSpan(_protocolLength, _nodeLength));
        Raw(span, ref n, attrs);
        output.EndRow(n);
    }

    /// <summary>A string the robot escaped: its length is known only after unescaping, so leave room for the longest prefix and move once if needed.</summary>
    private static void Escaped(Span<byte> span, ref int n, ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            Raw(span, ref n, escaped);
            return;
        }

        var prefix = VarIntLength(escaped.Length);
        var length = JsonUnescaper.Unescape(escaped, span[(n + prefix)..]);
        var actual = VarIntLength(length);
        if (actual != prefix)
        {
            span.Slice(n + prefix, length).CopyTo(span[(n + actual)..]);
        }

        WriteVarInt(span, ref n, length);
        n += length;
    }

    private static void Raw(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
    {
        WriteVarInt(span, ref n, bytes.Length);
        bytes.CopyTo(span[n..]);
        n += bytes.Length;
    }

    private static void WriteVarInt(Span<byte> span, ref int n, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[n++] = (byte)v;
    }

    private static int VarIntLength(int value)
    {
        var length = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7)
        {
            length++;
        }

        return length;
    }

    /// <summary>protocol and ingest_node are per connection: encode them once per batch source.</summary>
    private void CacheSource(SourceConnection source)
    {
        if (ReferenceEquals(source, _sourceOf))
        {
            return;
        }

        _protocolLength = Encoding.UTF8.GetBytes(Truncate(source.Protocol, 256), _source);
        _nodeLength = Encoding.UTF8.GetBytes(Truncate(source.Node, 256), _source.AsSpan(_protocolLength));
        _sourceOf = source;
    }

    private static ReadOnlySpan<char> Truncate(string value, int max) => value.AsSpan(0, Math.Min(value.Length, max));
}
