using System.Runtime.CompilerServices;
using Pipeline.Blocks.Events;

namespace Pipeline.Perf.Infrastructure;

/// <summary>
/// Puts a batch back to an earlier state in O(1) (or one memcpy of the event array), so a benchmark
/// of a block that appends to its batch measures the block and not the set-up. EventBatch has no
/// public way to shrink its data, so its length field is reached with <see cref="UnsafeAccessorAttribute"/>
/// (no reflection cost, no allocation).
/// </summary>
internal static class BatchRewind
{
    /// <summary>Back to the framed state: lines kept, events and everything appended after <paramref name="dataLength"/> dropped.</summary>
    public static void ToFramed(EventBatch batch, int dataLength)
    {
        batch.TruncateEvents(0);
        DataLength(batch) = dataLength;
    }

    /// <summary>Back to a parsed state captured earlier: its data length and a copy of its events.</summary>
    public static void ToParsed(EventBatch batch, int dataLength, EventRecord[] events)
    {
        DataLength(batch) = dataLength;
        events.AsSpan().CopyTo(batch.Events);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_length")]
    private static extern ref int DataLength(EventBatch batch);
}
