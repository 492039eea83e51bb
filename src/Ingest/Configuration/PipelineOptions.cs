namespace Pipeline.Ingest.Configuration;

/// <summary>The top of the <c>Pipeline</c> section; each component has its own options type below it.</summary>
public sealed class PipelineOptions
{
    /// <summary>Root of files, dead letters and spools. Default <c>./data</c>.</summary>
    public string DataDir { get; set; } = "data";
}
