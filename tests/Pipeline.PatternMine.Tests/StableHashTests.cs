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
    public void EveryByteAndTheLengthMatter()
    {
        Assert.NotEqual(StableHash.Hash("abcdefgh1"u8), StableHash.Hash("abcdefgh2"u8));
        Assert.NotEqual(StableHash.Hash("a"u8), StableHash.Hash("a\0"u8));
        Assert.NotEqual(StableHash.Hash("12345678"u8), StableHash.Hash("1234567"u8));
    }
}
