using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>
/// Builds batches the way ingest does (lines copied into a pooled batch, indexed, then run through
/// the real <see cref="ParseBlock"/>), so the sink sees real events.
/// </summary>
internal sealed class TestBatches
{
    public static readonly SourceConnection Source = new("tcp", 42, "127.0.0.1:50000", "test-node");

    /// <summary>2025-06-15T16:00:00.123Z, the receive time of every batch.</summary>
    public const long ReceivedAt = 1_750_003_200_123;

    private readonly ParseBlock _parse;

    public TestBatches()
    {
        Pool = new EventBatchPool(new EventBatchPoolOptions { InitialBytes = 64 * 1024, InitialEvents = 256 });
        _parse = new ParseBlock(new ParseOptions(), new PipelineMetrics(), new DiscardingDeadLetterSink());
    }

    public EventBatchPool Pool { get; }

    /// <summary>An event line whose <c>seq</c> attribute lets a test check order and completeness.</summary>
    public static string Line(int seq) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.{seq % 1000:D3}Z\",\"robot_id\":\"r{seq % 7}\",\"level\":\"INFO\",\"type\":\"telemetry\",\"msg\":\"event {seq}\",\"seq\":{seq}}}";

    /// <summary>A parsed batch of <paramref name="count"/> events numbered from <paramref name="firstSeq"/>.</summary>
    public EventBatch Events(int firstSeq, int count)
    {
        var lines = new string[count];
        for (var i = 0; i < count; i++)
        {
            lines[i] = Line(firstSeq + i);
        }

        return Parsed(lines);
    }

    public EventBatch Parsed(params string[] lines)
    {
        var batch = Pool.Rent();
        batch.Source = Source;
        batch.ReceivedAt = ReceivedAt;
        foreach (var line in lines)
        {
            var slice = batch.Append(Encoding.UTF8.GetBytes(line));
            batch.AddLine(slice.Offset, slice.Length);
            batch.InputBytes += slice.Length + 1;
        }

        _parse.Process(batch);
        return batch;
    }
}
