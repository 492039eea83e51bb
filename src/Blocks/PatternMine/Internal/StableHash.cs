using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// <remarks>
    /// Hot (every message and token): unaligned loads without slicing or bounds checks. The value is
    /// exactly the definition's — 8-byte little-endian words, then the last 1–7 bytes as one
    /// little-endian word with 0x80 mixed in — which a test checks against a byte-at-a-time reference.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Append(ulong state, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        var h = state;
        var i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = Round(h, Word(ref Unsafe.Add(ref start, i)));
        }

        var k = length - i;
        if (k > 0)
        {
            ulong tail;
            if (length >= 8)
            {
                // The last eight bytes end with the tail: shift the bytes before it out.
                tail = Word(ref Unsafe.Add(ref start, length - 8)) >> ((8 - k) * 8);
            }
            else
            {
                ref var rest = ref Unsafe.Add(ref start, i);
                tail = k >= 4
                    ? HalfWord(ref rest) | ((ulong)HalfWord(ref Unsafe.Add(ref rest, k - 4)) << ((k - 4) * 8))
                    : rest | (k > 1 ? (ulong)Unsafe.Add(ref rest, 1) << 8 : 0) | (k > 2 ? (ulong)Unsafe.Add(ref rest, 2) << 16 : 0);
            }

            h = Round(h, tail ^ 0x80);
        }

        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word(ref byte at)
    {
        var v = Unsafe.ReadUnaligned<ulong>(ref at);
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HalfWord(ref byte at)
    {
        var v = Unsafe.ReadUnaligned<uint>(ref at);
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
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
