namespace Pipeline.Blocks.Hosting;

/// <summary>
/// When a component stops, written once: ingest first (nothing new comes in), then the graph drains
/// into the sinks, then the sinks' own last work, then state snapshots (which must see every event
/// the graph drained). Components start in the reverse order.
/// </summary>
public enum LifecycleStage
{
    /// <summary>Whatever feeds the graph (besides Kestrel, which the host stops before all of these).</summary>
    Ingest = 0,

    /// <summary>The graph: completes its blocks and waits until every sink wrote or spooled what it accepted.</summary>
    Graph = 1,

    /// <summary>Sinks and their side writers (schema checks at start, last rounds at stop).</summary>
    Sinks = 2,

    /// <summary>State kept across restarts (pattern snapshots).</summary>
    State = 3,
}
