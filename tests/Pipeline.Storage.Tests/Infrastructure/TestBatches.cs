using Pipeline.Blocks.Events;
using Pipeline.Tests.Shared.Batches;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>Parsed batches of the sinks' tests: events numbered by <c>seq</c>, received at one fixed time.</summary>
internal sealed class TestBatches : ParsedBatches
{
    /// <summary>2025-06-15T16:00:00Z, the receive time of every batch.</summary>
    public const long ReceivedAt = 1_750_003_200_000;

    public TestBatches(EventBatchPool? pool = null)
        : base(ReceivedAt, Line, pool)
    {
    }

    /// <summary>An event line whose <c>seq</c> attribute lets a test check order and completeness.</summary>
    public static string Line(int seq) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.000Z\",\"robot_id\":\"r{seq % 7}\",\"level\":\"INFO\",\"msg\":\"event {seq}\",\"seq\":{seq}}}";
}
