using System.Buffers.Binary;
using System.Numerics;

namespace Pipeline.Storage.Spool.Internal;

/// <summary>CRC-32C (Castagnoli), in hardware where the CPU has it.</summary>
internal static class Crc32C
{
    public const uint Seed = 0xFFFFFFFF;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    public static uint Finish(uint crc) => ~crc;
}
