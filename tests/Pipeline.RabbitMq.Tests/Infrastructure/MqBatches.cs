using Pipeline.Blocks.Events;
using Pipeline.Tests.Shared.Batches;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>Parsed batches for the RabbitMQ tests: numbered events (<c>seq</c>) of a few robots and types.</summary>
internal sealed class MqBatches : ParsedBatches
{
    public const long ReceivedAt = 1_750_003_200_000;

    public MqBatches(EventBatchPool? pool = null)
        : base(ReceivedAt, Line, pool)
    {
    }

    public static string Line(int seq) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.000Z\",\"robot_id\":\"r{seq % 3}\",\"level\":\"{(seq % 4 == 0 ? "ERROR" : "INFO")}\",\"type\":\"t{seq % 2}\",\"msg\":\"event {seq}\",\"seq\":{seq}}}";

    /// <summary>An event with a numeric level code (the MQ scheme).</summary>
    public static string Coded(int seq, int levelCode) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.000Z\",\"robot_id\":\"r1\",\"level\":{levelCode},\"type\":\"mq\",\"msg\":\"coded {seq}\",\"seq\":{seq}}}";
}
