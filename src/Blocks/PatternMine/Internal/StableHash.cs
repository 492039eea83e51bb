using System.Buffers.Binary;
using System.Numerics;

namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// A 64-bit hash that is the same in every process and on every machine (unlike <see cref="HashCode"/>),
/// so that template ids can be persisted and compared across restarts. Eight bytes at a time,
/// multiply-rotate mixing, a SplitMix64 finaliser; not cryptographic.
/// </summary>
internal static class StableHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Seed = 0x27D4EB2F165667C5UL;

    public static ulong Hash(ReadOnlySpan<byte> data) => Finish(Append(Seed, data), data.Length);

    /// <summary>Folds <paramref name="data"/> into a running state (see <see cref="Finish"/>).</summary>
    public static ulong Append(ulong state, ReadOnlySpan<byte> data)
    {
        var h = state;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h = Round(h, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        var k = data.Length - i;
        if (k > 0)
        {
            // The last 1–7 bytes, little-endian, in at most two (overlapping) loads; OR-ing a byte twice is harmless.
            var rest = data[i..];
            ulong tail = k switch
            {
                1 => rest[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(rest),
                3 => BinaryPrimitives.ReadUInt16LittleEndian(rest) | ((ulong)rest[2] << 16),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(rest),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(rest) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(rest[(k - 4)..]) << ((k - 4) * 8)),
            };
            h = Round(h, tail ^ 0x80);
        }

        return h;
    }

    public static ulong Combine(ulong state, ulong value) => Round(state, value);

    public static ulong Finish(ulong state, long length) => Mix(state ^ (ulong)length);

    /// <summary>SplitMix64's finaliser: a bijection, so distinct inputs stay distinct.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    private static ulong Round(ulong h, ulong value)
    {
        h ^= BitOperations.RotateLeft(value * Prime2, 31) * Prime1;
        return BitOperations.RotateLeft(h, 27) * Prime1 + Seed;
    }
}
