using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.PatternMine;

/// <summary>The pattern-mine block in a running graph with several batches in flight at once.</summary>
public sealed class PatternMineGraphTests
{
    private static readonly string[] Words =
    [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima", "mike",
        "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
    ];

    private readonly EventBatchPool _pool = SmallPool(maxRetained: 1_000);
    private readonly PipelineMetrics _metrics = new();

    /// <summary>26 first words × 4 lengths: every pattern in a bucket of its own, so none may merge with another.</summary>
    private static string Message(int pattern, int value)
    {
        var word = Words[pattern % Words.Length];
        var length = 3 + pattern / Words.Length;
        return word + string.Concat(Enumerable.Repeat(" step", length - 2)) + " " + value.ToString(CultureInfo.InvariantCulture);
    }

    private static string PatternOf(string msg) => msg[..msg.LastIndexOf(' ')];

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public async Task PatternMineWithParallelBatchesGivesEveryPatternExactlyOneId(int parallelism)
    {
        const int Patterns = 104, Producers = 4, BatchesPerProducer = 50, EventsPerBatch = 64;
        var miner = new TemplateMiner();
        var sink = new RecordingEventSink("probe", boundedCapacity: 64);
        (IBatchProcessor, BlockOptions)[] processors =
        [
            (new ParseBlock(new ParseOptions(), _metrics, new RecordingDeadLetterSink()), BlockOptions.Of(16, 2)),
            (new PatternMineBlock(miner, TimeProvider.System, _metrics), BlockOptions.Of(16, parallelism)),
        ];
        var graph = new PipelineGraph(processors, [sink], BlockOptions.Of(16, 1), _metrics, NullLogger.Instance);

        // Every producer walks all patterns in its own order, so first sightings race between batches.
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (var b = 0; b < BatchesPerProducer; b++)
            {
                var lines = new string[EventsPerBatch];
                for (var i = 0; i < lines.Length; i++)
                {
                    var msg = Message(random.Next(Patterns), random.Next(1, 100_000));
                    lines[i] = $$"""{"robot_id":"r{{p}}","msg":"{{msg}}"}""";
                }

                Assert.True(await graph.Input.SendAsync(WithLines(_pool, lines)));
            }
        })).ToArray();
        await Task.WhenAll(producers);
        await graph.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var received = sink.TemplateIds;
        Assert.Equal(Producers * BatchesPerProducer * EventsPerBatch, received.Count);
        var idsPerPattern = received.GroupBy(r => PatternOf(r.Msg)).ToDictionary(g => g.Key, g => g.Select(r => r.TemplateId).Distinct().ToList());
        Assert.All(idsPerPattern, kv => Assert.Single(kv.Value));
        Assert.Equal(idsPerPattern.Count, idsPerPattern.Values.Select(ids => ids[0]).Distinct().Count());
        Assert.DoesNotContain(0UL, idsPerPattern.Values.Select(ids => ids[0]));

        // No twins and no lost updates: one template per pattern, and their counts add up to every event.
        Assert.Equal(idsPerPattern.Count, miner.TemplateCount);
        Assert.Equal(received.Count, miner.GetTemplates().Sum(t => t.Count));
        foreach (var (pattern, ids) in idsPerPattern)
        {
            Assert.True(miner.TryGetTemplate(ids[0], out var template));
            Assert.Equal(pattern + " <*>", template.Text);
            Assert.Equal(received.Count(r => PatternOf(r.Msg) == pattern), template.Count);
        }
    }
}
