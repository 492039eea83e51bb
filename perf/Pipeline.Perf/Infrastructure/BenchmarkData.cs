using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Redact;
using Pipeline.LoadTests.Generation;

namespace Pipeline.Perf.Infrastructure;

/// <summary>The data every suite runs on: one ingest batch of gen_events.py-shaped events.</summary>
internal static class BenchmarkData
{
    /// <summary>Events in a batch; every benchmark sets <c>OperationsPerInvoke</c> to it, so results read per event.</summary>
    public const int Events = 1000;

    /// <summary>A connection's source, as the TCP front end makes it.</summary>
    public static SourceConnection Source { get; } = new("tcp", 42, "127.0.0.1:51234", "bench-node");

    /// <summary>gen_events.py's mix: every event from a random one of 500 robots.</summary>
    public static byte[] FleetNdjson() => EventGenerator.Ndjson(Events, seed: 7);

    /// <summary>One robot's connection: every event from robot-42 (what a real connection carries).</summary>
    public static byte[] OneRobotNdjson() => EventGenerator.Ndjson(Events, seed: 7, robot: 42);

    /// <summary>
    /// A batch holding <paramref name="ndjson"/> the way <c>LineFramer</c> leaves it: the lines copied
    /// in one go, then indexed (terminators excluded).
    /// </summary>
    public static EventBatch Framed(EventBatchPool pool, byte[] ndjson)
    {
        var batch = pool.Rent();
        batch.Source = Source;
        batch.ReceivedAt = new DateTimeOffset(2026, 11, 23, 12, 0, 1, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var start = batch.DataLength;
        batch.Append(ndjson);
        batch.InputBytes = ndjson.Length;
        var offset = 0;
        while (offset < ndjson.Length)
        {
            var newline = ndjson.AsSpan(offset).IndexOf((byte)'\n');
            batch.AddLine(start + offset, newline);
            offset += newline + 1;
        }

        return batch;
    }

    /// <summary>The fleet batch as the sinks get it: framed, then parsed, redacted and enriched (the encoders' input).</summary>
    public static EventBatch Processed()
    {
        var metrics = new PipelineMetrics();
        var batch = Framed(new EventBatchPool(), FleetNdjson());
        new ParseBlock(new ParseOptions(), metrics, new NullDeadLetterSink()).Process(batch);
        new RedactBlock(new RedactOptions(), metrics).Process(batch);
        new EnrichBlock(new StaticFleetRegistrySource(Registry()), metrics).Process(batch);
        return batch;
    }

    /// <summary>The 500 robots gen_events.py draws from, with CJK names like its <c>robot_name</c>.</summary>
    public static FleetRegistry Registry()
    {
        var robots = new List<RobotInfo>(EventGenerator.FleetSize);
        for (var r = 1; r <= EventGenerator.FleetSize; r++)
        {
            robots.Add(new RobotInfo($"robot-{r}", $"快递小车{r}", $"site-{r % 7}", r % 3 == 0 ? "AGV-300" : "AMR-120"));
        }

        return new FleetRegistry(robots);
    }
}
