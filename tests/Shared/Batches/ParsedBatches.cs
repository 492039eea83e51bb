using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;

namespace Pipeline.Tests.Shared.Batches;

/// <summary>
/// Builds batches the way ingest does (lines copied into a pooled batch, indexed, then run through the
/// real <see cref="ParseBlock"/>), so sinks under test see real events. Each test project says what its
/// event lines look like and when its batches were received.
/// </summary>
internal class ParsedBatches
{
    private readonly ParseBlock _parse;
    private readonly long _receivedAt;
    private readonly Func<int, string> _line;

    protected ParsedBatches(long receivedAt, Func<int, string> line, EventBatchPool? pool)
    {
        _receivedAt = receivedAt;
        _line = line;
        Pool = pool ?? new EventBatchPool(new EventBatchPoolOptions { InitialBytes = 64 * 1024, InitialEvents = 256 });
        _parse = new ParseBlock(new ParseOptions(), new PipelineMetrics(), DeadLetters);
    }

    public static SourceConnection Source { get; } = new("tcp", 42, "127.0.0.1:50000", "test-node");

    public EventBatchPool Pool { get; }

    public DiscardingDeadLetterSink DeadLetters { get; } = new();

    /// <summary>A parsed batch of <paramref name="count"/> events numbered from <paramref name="firstSeq"/>.</summary>
    public EventBatch Events(int firstSeq, int count)
    {
        var lines = new string[count];
        for (var i = 0; i < count; i++)
        {
            lines[i] = _line(firstSeq + i);
        }

        return Parsed(lines);
    }

    public EventBatch Parsed(params string[] lines)
    {
        var batch = Pool.Rent();
        batch.Source = Source;
        batch.ReceivedAt = _receivedAt;
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
