using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Storage.ClickHouse.Patterns;

/// <summary>
/// Writes pattern rows as RowBinary in the order of <c>ClickHouseSchema.PatternInsertColumns</c>:
/// id UInt64, template String, first_seen Int64 ms, last_seen Int64 ms, count UInt64, version UInt64.
/// DateTime64(3) is the same 8 bytes as Int64 milliseconds, so one encoding fits both layouts. Ids
/// are written as unsigned 64-bit values (the template ids use all 64 bits).
/// </summary>
internal static class PatternRowEncoder
{
    public static void Encode(in PatternRow row, ulong version, ArrayBufferWriter<byte> output)
    {
        var textBytes = Encoding.UTF8.GetByteCount(row.Text);
        var span = output.GetSpan(8 + 5 + textBytes + (8 * 4));
        var n = 0;
        BinaryPrimitives.WriteUInt64LittleEndian(span, row.Template.Id);
        n += 8;
        for (var v = (uint)textBytes; ; v >>= 7)
        {
            if (v < 0x80)
            {
                span[n++] = (byte)v;
                break;
            }

            span[n++] = (byte)(v | 0x80);
        }

        n += Encoding.UTF8.GetBytes(row.Text, span[n..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[n..], row.FirstSeenAt);
        n += 8;
        BinaryPrimitives.WriteInt64LittleEndian(span[n..], row.LastSeenAt);
        n += 8;
        BinaryPrimitives.WriteUInt64LittleEndian(span[n..], (ulong)Math.Max(0, row.Count));
        n += 8;
        BinaryPrimitives.WriteUInt64LittleEndian(span[n..], version);
        n += 8;
        output.Advance(n);
    }
}
