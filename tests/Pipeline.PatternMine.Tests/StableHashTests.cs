using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests;

public sealed class StableHashTests
{
    // Template ids are persisted and compared across processes and versions: these values must never change.
    [Fact]
    public void HashOfAKnownInputNeverChanges()
    {
        Assert.Equal(0x1397CA31909B7D19UL, StableHash.Hash("Received block <*> of size <*> from <*>"u8));
        Assert.Equal(0x323DEF0871273387UL, StableHash.Hash(""u8));
    }

    [Fact]
    public void MatchesTheByteAtATimeDefinitionForEveryTailLength()
    {
        var random = new Random(11);
        for (var length = 0; length <= 200; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);

            Assert.Equal(Reference(data), StableHash.Hash(data));
        }

        Assert.Equal(0x53E1E88CDB439830UL, StableHash.Hash("Received"u8[..7]));
    }

    [Fact]
    public void EveryByteAndTheLengthMatter()
    {
        Assert.NotEqual(StableHash.Hash("abcdefgh1"u8), StableHash.Hash("abcdefgh2"u8));
        Assert.NotEqual(StableHash.Hash("a"u8), StableHash.Hash("a\0"u8));
        Assert.NotEqual(StableHash.Hash("12345678"u8), StableHash.Hash("1234567"u8));
    }

    /// <summary>The definition: 8-byte little-endian words, then the tail bytes one by one, then 0x80.</summary>
    private static ulong Reference(byte[] data)
    {
        const ulong Prime1 = 0x9E3779B185EBCA87UL;
        const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
        const ulong Seed = 0x27D4EB2F165667C5UL;
        static ulong Round(ulong h, ulong v) =>
            System.Numerics.BitOperations.RotateLeft(h ^ System.Numerics.BitOperations.RotateLeft(v * Prime2, 31) * Prime1, 27) * Prime1 + Seed;

        var h = Seed;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h = Round(h, BitConverter.ToUInt64(data, i));
        }

        if (i < data.Length)
        {
            ulong tail = 0;
            for (var shift = 0; i < data.Length; i++, shift += 8)
            {
                tail |= (ulong)data[i] << shift;
            }

            h = Round(h, tail ^ 0x80);
        }

        return StableHash.Mix(h ^ (ulong)data.Length);
    }
}
