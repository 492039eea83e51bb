using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Tests.Infrastructure;

/// <summary>Builds batches the way ingest does: lines copied into the buffer, then <see cref="EventBatch.AddLine"/>.</summary>
internal static class TestBatches
{
    /// <summary>A pool with tiny buffers, so that every test also exercises buffer growth.</summary>
    public static EventBatchPool SmallPool(int maxRetained = 64) => new(new EventBatchPoolOptions
    {
        MaxRetained = maxRetained,
        InitialBytes = 64,
        InitialEvents = 2,
    });

    public static EventBatch WithLines(EventBatchPool pool, params string[] lines)
    {
        var bytes = new byte[lines.Length][];
        for (var i = 0; i < lines.Length; i++)
        {
            bytes[i] = Encoding.UTF8.GetBytes(lines[i]);
        }

        return WithLines(pool, bytes);
    }

    public static EventBatch WithLines(EventBatchPool pool, params byte[][] lines)
    {
        var batch = pool.Rent();
        batch.ReceivedAt = 1_700_000_000_000;
        foreach (var line in lines)
        {
            var slice = batch.Append(line);
            batch.AddLine(slice.Offset, slice.Length);
            batch.InputBytes += line.Length + 1;
        }

        return batch;
    }

    /// <summary>Adds an event whose <c>msg</c> and attributes are the given JSON-escaped texts.</summary>
    public static ref EventRecord AddEvent(EventBatch batch, string? msg = null, string? attributes = null, string? robotId = null)
    {
        var msgSlice = msg is null ? Slice.Empty : batch.Append(Encoding.UTF8.GetBytes(msg));
        var attributesSlice = attributes is null ? Slice.Empty : batch.Append(Encoding.UTF8.GetBytes(attributes));
        var robotSlice = robotId is null ? Slice.Empty : batch.Append(Encoding.UTF8.GetBytes(robotId));
        ref var record = ref batch.AddEvent();
        record.Msg = msgSlice;
        record.Attributes = attributesSlice;
        record.RobotId = robotSlice;
        record.Timestamp = batch.ReceivedAt;
        record.LevelCode = -1;
        record.Level = EventLevel.Info;
        return ref record;
    }

    public static string Text(EventBatch batch, Slice slice) => Encoding.UTF8.GetString(batch[slice]);
}
