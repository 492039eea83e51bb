namespace Pipeline.Blocks.Graph;

/// <summary>
/// Where a processor sits in the graph, written once: every event is parsed, then redacted (so nothing
/// later sees a secret), enriched, and mined for patterns (on redacted text), then fanned out.
/// </summary>
public enum GraphStage
{
    Parse = 0,
    Redact = 10,
    Enrich = 20,
    PatternMine = 30,
}
