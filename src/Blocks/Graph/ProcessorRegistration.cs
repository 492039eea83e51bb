namespace Pipeline.Blocks.Graph;

/// <summary>A processor a component registered for the graph: its stage, its Dataflow options and how to build it.</summary>
public sealed record ProcessorRegistration(GraphStage Stage, BlockOptions Options, Func<IServiceProvider, IBatchProcessor> Create);
