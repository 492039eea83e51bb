using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.PatternMine.Tests.Anomalies;

public sealed class PatternMineBlockObserverTests
{
    [Fact]
    public void TheBlockDoesNotMinePatternAnomalyEvents()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.WarmUp = TimeSpan.Zero));
        var batch = f.Parsed(
            AnomalyFixture.Line("r1", "WARNING", "New log pattern 00ab (first from robot r1): lidar <*>", type: "pattern_anomaly"),
            AnomalyFixture.Line("r1", "INFO", "lidar ready", type: "pattern_anomalyx"));
        var block = new PatternMineBlock(f.Miner, f.Time, f.Metrics, f.Detector);

        block.Process(batch);

        Assert.Equal(0ul, batch.Events[0].TemplateId);
        Assert.Null(batch.Events[0].Template);
        Assert.NotEqual(0ul, batch.Events[1].TemplateId);
        Assert.Equal(1, f.Miner.TemplateCount);
        batch.Release();

        // Only the robot's own event was a new template, and only it counts for the robot.
        Assert.Single(f.Detector.Tick(), a => a.Kind == PatternAnomalyKind.NewTemplate);
    }

    [Fact]
    public void TheObserverHearsOfEachCreatedTemplateOnceAndOfEveryBatch()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        var observer = new RecordingObserver();
        var block = new PatternMineBlock(f.Miner, f.Time, new PipelineMetrics(), observer);
        var batch = f.Parsed(
            AnomalyFixture.Line("r1", "INFO", "arm calibrated in 12 ms"),
            AnomalyFixture.Line("r2", "ERROR", "arm calibrated in 15 ms"),
            AnomalyFixture.Line("r2", "INFO", "door opened"),
            AnomalyFixture.Line("r3", "CRITICAL", "New log pattern 00ab: x", type: "pattern_anomaly"),
            AnomalyFixture.Line("r3", "CRITICAL", "emergency stop"));

        block.Process(batch);
        block.Process(batch);

        Assert.Equal([0, 2, 4], observer.Created.ConvertAll(c => c.Index));
        Assert.Equal(2, observer.Batches);

        // Each batch's ERROR/CRITICAL robot events, not the anomaly event.
        Assert.Equal([1, 4], observer.Errors);
        batch.Release();
    }

    private sealed class RecordingObserver : IPatternObserver
    {
        public List<(PatternTemplate Template, int Index)> Created { get; } = [];

        public int Batches { get; private set; }

        public int[] Errors { get; private set; } = [];

        public void OnCreated(PatternTemplate template, EventBatch batch, int index) => Created.Add((template, index));

        public void Observe(EventBatch batch, ReadOnlySpan<int> errors)
        {
            Batches++;
            Errors = errors.ToArray();
        }
    }
}
