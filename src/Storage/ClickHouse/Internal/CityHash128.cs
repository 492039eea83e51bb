using System.Buffers.Binary;
using System.Numerics;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// CityHash128 as of CityHash 1.0.2, the version ClickHouse froze for the checksums of its
/// compressed blocks (later CityHash versions give other values).
/// </summary>
internal static class CityHash128
{
    private const ulong K0 = 0xc3a5c85c97cb3127UL;
    private const ulong K1 = 0xb492b66fbe98f273UL;
    private const ulong K2 = 0x9ae16a3b2f90404fUL;
    private const ulong K3 = 0xc949d7c7509e6557UL;

    public static (ulong Low, ulong High) Hash(ReadOnlySpan<byte> s)
    {
        var len = s.Length;
        if (len >= 16)
        {
            return WithSeed(s[16..], Fetch64(s) ^ K3, Fetch64(s[8..]));
        }

        if (len >= 8)
        {
            return WithSeed([], Fetch64(s) ^ ((ulong)len * K0), Fetch64(s[(len - 8)..]) ^ K1);
        }

        return WithSeed(s, K0, K1);
    }

    private static (ulong Low, ulong High) WithSeed(ReadOnlySpan<byte> s, ulong seedLow, ulong seedHigh)
    {
        var len = s.Length;
        if (len < 128)
        {
            return CityMurmur(s, seedLow, seedHigh);
        }

        ulong x = seedLow, y = seedHigh, z = (ulong)len * K1;
        ulong v1 = (Rotate(y ^ K1, 49) * K1) + Fetch64(s);
        ulong v2 = (Rotate(v1, 42) * K1) + Fetch64(s[8..]);
        ulong w1 = (Rotate(y + z, 35) * K1) + x;
        ulong w2 = Rotate(x + Fetch64(s[88..]), 53) * K1;
        var p = 0;
        do
        {
            for (var half = 0; half < 2; half++)
            {
                x = Rotate(x + y + v1 + Fetch64(s[(p + 16)..]), 37) * K1;
                y = Rotate(y + v2 + Fetch64(s[(p + 48)..]), 42) * K1;
                x ^= w2;
                y ^= v1;
                z = Rotate(z ^ w1, 33);
                (v1, v2) = WeakHashLen32WithSeeds(s[p..], v2 * K1, x + w1);
                (w1, w2) = WeakHashLen32WithSeeds(s[(p + 32)..], z + w2, y);
                (z, x) = (x, z);
                p += 64;
            }

            len -= 128;
        }
        while (len >= 128);

        y += (Rotate(w1, 37) * K0) + z;
        x += Rotate(v1 + z, 49) * K0;
        for (var tailDone = 0; tailDone < len;)
        {
            tailDone += 32;
            y = (Rotate(y - x, 42) * K0) + v2;
            w1 += Fetch64(s[(p + len - tailDone + 16)..]);
            x = (Rotate(x, 49) * K0) + w1;
            w1 += v1;
            (v1, v2) = WeakHashLen32WithSeeds(s[(p + len - tailDone)..], v1, v2);
        }

        x = HashLen16(x, v1);
        y = HashLen16(y, w1);
        return (HashLen16(x + v2, w2) + y, HashLen16(x + w2, y + v2));
    }

    private static (ulong Low, ulong High) CityMurmur(ReadOnlySpan<byte> s, ulong a, ulong b)
    {
        var len = s.Length;
        ulong c, d;
        var l = len - 16;
        if (l <= 0)
        {
            a = ShiftMix(a * K1) * K1;
            c = (b * K1) + HashLen0To16(s);
            d = ShiftMix(a + (len >= 8 ? Fetch64(s) : c));
        }
        else
        {
            c = HashLen16(Fetch64(s[(len - 8)..]) + K1, a);
            d = HashLen16(b + (ulong)len, c + Fetch64(s[(len - 16)..]));
            a += d;
            var p = 0;
            do
            {
                a ^= ShiftMix(Fetch64(s[p..]) * K1) * K1;
                a *= K1;
                b ^= a;
                c ^= ShiftMix(Fetch64(s[(p + 8)..]) * K1) * K1;
                c *= K1;
                d ^= c;
                p += 16;
                l -= 16;
            }
            while (l > 0);
        }

        a = HashLen16(a, c);
        b = HashLen16(d, b);
        return (a ^ b, HashLen16(b, a));
    }

    private static ulong HashLen0To16(ReadOnlySpan<byte> s)
    {
        var len = s.Length;
        if (len > 8)
        {
            var a = Fetch64(s);
            var b = Fetch64(s[(len - 8)..]);
            return HashLen16(a, BitOperations.RotateRight(b + (ulong)len, len)) ^ b;
        }

        if (len >= 4)
        {
            ulong a = Fetch32(s);
            return HashLen16((ulong)len + (a << 3), Fetch32(s[(len - 4)..]));
        }

        if (len > 0)
        {
            uint a = s[0];
            uint b = s[len >> 1];
            uint c = s[len - 1];
            var y = a + (b << 8);
            var z = (uint)len + (c << 2);
            return ShiftMix((y * K2) ^ (z * K3)) * K2;
        }

        return K2;
    }

    private static (ulong, ulong) WeakHashLen32WithSeeds(ReadOnlySpan<byte> s, ulong a, ulong b)
    {
        ulong w = Fetch64(s), x = Fetch64(s[8..]), y = Fetch64(s[16..]), z = Fetch64(s[24..]);
        a += w;
        b = Rotate(b + a + z, 21);
        var c = a;
        a += x;
        a += y;
        b += Rotate(a, 44);
        return (a + z, b + c);
    }

    private static ulong HashLen16(ulong u, ulong v)
    {
        const ulong kMul = 0x9ddfea08eb382d69UL;
        var a = (u ^ v) * kMul;
        a ^= a >> 47;
        var b = (v ^ a) * kMul;
        b ^= b >> 47;
        b *= kMul;
        return b;
    }

    private static ulong Rotate(ulong value, int shift) => shift == 0 ? value : BitOperations.RotateRight(value, shift);

    private static ulong ShiftMix(ulong value) => value ^ (value >> 47);

    private static ulong Fetch64(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt64LittleEndian(s);

    private static uint Fetch32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt32LittleEndian(s);
}
