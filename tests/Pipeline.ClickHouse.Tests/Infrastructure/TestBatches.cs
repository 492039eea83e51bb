using Pipeline.Tests.Shared.Batches;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>Parsed batches of the ClickHouse sink's tests: events numbered by <c>seq</c>, with millisecond times and a type.</summary>
internal sealed class TestBatches : ParsedBatches
{
    /// <summary>2025-06-15T16:00:00.123Z, the receive time of every batch.</summary>
    public const long ReceivedAt = 1_750_003_200_123;

    public TestBatches()
        : base(ReceivedAt, Line, pool: null)
    {
    }

    /// <summary>An event line whose <c>seq</c> attribute lets a test check order and completeness.</summary>
    public static string Line(int seq) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.{seq % 1000:D3}Z\",\"robot_id\":\"r{seq % 7}\",\"level\":\"INFO\",\"type\":\"telemetry\",\"msg\":\"event {seq}\",\"seq\":{seq}}}";
}
