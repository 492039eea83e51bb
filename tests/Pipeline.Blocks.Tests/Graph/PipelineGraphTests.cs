using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.Redact;
using Pipeline.Blocks.Tests.Infrastructure;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Graph;

public sealed class PipelineGraphTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private readonly EventBatchPool _pool = SmallPool(maxRetained: 1_000);
    private readonly PipelineMetrics _metrics = new();
    private readonly RecordingDeadLetterSink _deadLetters = new();

    private PipelineGraph Graph(params IEventSink[] sinks)
    {
        var registry = new StaticFleetRegistrySource(new FleetRegistry([new RobotInfo("r1", "Arm", "site-a", "ur5")]));
        (IBatchProcessor, BlockOptions)[] processors =
        [
            (new ParseBlock(new ParseOptions(), _metrics, _deadLetters), BlockOptions.Of(8, 2)),
            (new RedactBlock(new RedactOptions(), _metrics), BlockOptions.Of(8, 2)),
            (new EnrichBlock(registry, _metrics), BlockOptions.Of(8, 1)),
        ];
        return new PipelineGraph(processors, sinks, BlockOptions.Of(8, 1), _metrics, NullLogger.Instance);
    }

    private static string Msg(int batch, int line) => string.Create(CultureInfo.InvariantCulture, $"b{batch}-l{line}");

    private EventBatch Lines(int batch, int lines)
    {
        var text = new string[lines + 1];
        for (var i = 0; i < lines; i++)
        {
            text[i] = $$"""{"robot_id":"r1","msg":"{{Msg(batch, i)}}","password":"p"}""";
        }

        text[lines] = """{"msg":"broken""";
        return WithLines(_pool, text);
    }

    [Fact]
    public async Task CompleteAsyncDrainsEverythingIntoEverySink()
    {
        const int batches = 10;
        const int lines = 20;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fast = new RecordingEventSink("fast");
        var slow = new RecordingEventSink("slow", boundedCapacity: 2, gate.Task);
        var graph = Graph(fast, slow);

        for (var b = 0; b < batches; b++)
        {
            Assert.True(await graph.Input.SendAsync(Lines(b, lines)).WaitAsync(Safety));
        }

        var completing = graph.CompleteAsync();
        Assert.False(completing.IsCompleted); // the slow sink still holds batches

        gate.SetResult();
        await completing.WaitAsync(Safety);

        var expected = Enumerable.Range(0, batches).SelectMany(b => Enumerable.Range(0, lines).Select(l => Msg(b, l))).ToArray();
        Assert.Equal(expected, fast.Messages);
        Assert.Equal(expected, slow.Messages);
        Assert.True(fast.Completion.IsCompletedSuccessfully);
        Assert.True(slow.Completion.IsCompletedSuccessfully);
        Assert.Equal(batches, _pool.Retained); // every batch released by both sinks, returned once
        Assert.Equal(batches, _deadLetters.Records.Count);
        Assert.Equal(batches, _metrics.ComponentDiscarded.WithLabels("parse", DiscardReasons.MalformedJson).Value);
    }

    [Fact]
    public async Task EventsReachTheSinksParsedRedactedAndEnriched()
    {
        var sink = new RecordingEventSink("one");
        var graph = Graph(sink);

        Assert.True(await graph.Input.SendAsync(WithLines(_pool, """{"robot_id":"r1","msg":"use Bearer abc","token":"t"}""")).WaitAsync(Safety));
        await graph.CompleteAsync().WaitAsync(Safety);

        var batch = Assert.Single(sink.Batches);
        var e = batch.Events[0];
        Assert.Equal(["use ***"], sink.Messages);
        Assert.Equal("""{"token":"***"}""", Text(batch, e.Attributes));
        Assert.Equal("Arm", e.Robot?.Name);
    }

    [Fact]
    public async Task GraphWithoutProcessorsSendsStraightToTheSinks()
    {
        var sink = new RecordingEventSink("one");
        var graph = new PipelineGraph([], [sink], BlockOptions.Of(2, 1), _metrics, NullLogger.Instance);
        var batch = _pool.Rent();
        AddEvent(batch, "direct");

        Assert.True(await graph.Input.SendAsync(batch).WaitAsync(Safety));
        await graph.CompleteAsync().WaitAsync(Safety);

        Assert.Equal(["direct"], sink.Messages);
        Assert.Equal(1, _pool.Retained);
    }

    [Fact]
    public async Task GraphDeclinesInputAfterCompletion()
    {
        var sink = new RecordingEventSink("one");
        var graph = Graph(sink);
        await graph.CompleteAsync().WaitAsync(Safety);

        Assert.False(await graph.Input.SendAsync(_pool.Rent()).WaitAsync(Safety));
        Assert.False(graph.IsRunning);
        Assert.True(graph.Completion.IsCompletedSuccessfully);
    }
}
