using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Enrich;

public sealed class EnrichBlockTests
{
    private static readonly RobotInfo R1 = new("r1", "Arm One", "site-a", "ur5");
    private static readonly RobotInfo R2 = new("r2", "Rover", "site-b", "husky");

    private readonly EventBatchPool _pool = SmallPool();
    private readonly PipelineMetrics _metrics = new();

    private EnrichBlock Block(FleetRegistry registry) => new(new StaticFleetRegistrySource(registry), _metrics);

    private double Unknown => _metrics.UnknownRobotEvents.Value;

    [Fact]
    public void EnrichSetsRobotInfoPerEvent()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "a", robotId: "r1");
        AddEvent(batch, "b", robotId: "r2");
        AddEvent(batch, "c", robotId: "r1");
        AddEvent(batch, "d", robotId: "r2");

        Block(new FleetRegistry([R1, R2])).Process(batch);

        Assert.Same(R1, batch.Events[0].Robot);
        Assert.Same(R2, batch.Events[1].Robot);
        Assert.Same(R1, batch.Events[2].Robot);
        Assert.Same(R2, batch.Events[3].Robot);
        Assert.Equal(0, Unknown);
    }

    [Fact]
    public void EnrichCountsUnknownRobots()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "a", robotId: "ghost");
        AddEvent(batch, "b", robotId: "ghost");
        AddEvent(batch, "c", robotId: "r1");
        AddEvent(batch, "d", robotId: "R1");

        Block(new FleetRegistry([R1])).Process(batch);

        Assert.Null(batch.Events[0].Robot);
        Assert.Null(batch.Events[1].Robot);
        Assert.Same(R1, batch.Events[2].Robot);
        Assert.Null(batch.Events[3].Robot); // ids are case-sensitive
        Assert.Equal(3, Unknown);
    }

    [Fact]
    public void EnrichLeavesEventsWithoutRobotIdAlone()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "a", robotId: "r1");
        AddEvent(batch, "no id");
        AddEvent(batch, "b", robotId: "r1");

        Block(new FleetRegistry([R1])).Process(batch);

        Assert.Same(R1, batch.Events[0].Robot);
        Assert.Null(batch.Events[1].Robot);
        Assert.Same(R1, batch.Events[2].Robot);
        Assert.Equal(0, Unknown);
    }

    [Fact]
    public void EnrichWithEmptyRegistryChangesNothing()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "a", robotId: "r1");

        Block(FleetRegistry.Empty).Process(batch);

        Assert.Null(batch.Events[0].Robot);
        Assert.Equal(1, _metrics.ComponentEvents.WithLabels("enrich", "in").Value);
        Assert.Equal(1, _metrics.ComponentEvents.WithLabels("enrich", "out").Value);
    }

    [Fact]
    public void EnrichUsesTheCurrentSnapshotOfTheSource()
    {
        var source = new SwitchableSource { Current = new FleetRegistry([R1]) };
        var block = new EnrichBlock(source, _metrics);
        var first = _pool.Rent();
        AddEvent(first, "a", robotId: "r1");
        block.Process(first);

        var renamed = new RobotInfo("r1", "Arm One (renamed)", "site-c", "ur10");
        source.Current = new FleetRegistry([renamed]);
        var second = _pool.Rent();
        AddEvent(second, "b", robotId: "r1");
        block.Process(second);

        Assert.Same(R1, first.Events[0].Robot);
        Assert.Same(renamed, second.Events[0].Robot);
    }

    [Fact]
    public void EnrichFindsRobotIdsWithNonAsciiCharacters()
    {
        var robot = new RobotInfo("robot-ü", "Ü", "site", "m");
        var batch = _pool.Rent();
        AddEvent(batch, "a", robotId: "robot-ü");

        Block(new FleetRegistry([robot])).Process(batch);

        Assert.Same(robot, batch.Events[0].Robot);
    }

    private sealed class SwitchableSource : IFleetRegistrySource
    {
        public FleetRegistry Current { get; set; } = FleetRegistry.Empty;
    }
}
