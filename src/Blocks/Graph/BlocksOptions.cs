namespace Pipeline.Blocks.Graph;

/// <summary>The <c>Pipeline:Blocks</c> section: one <see cref="BlockOptions"/> per block.</summary>
public sealed class BlocksOptions
{
    public BlockOptions Parse { get; set; } = BlockOptions.Of(8, 2);
    public BlockOptions Redact { get; set; } = BlockOptions.Of(8, 2);
    public BlockOptions Enrich { get; set; } = BlockOptions.Of(8, 1);
    public BlockOptions FanOut { get; set; } = BlockOptions.Of(8, 1);

    /// <summary>The rolling-files sink: parallelism applies to encoding; writing is sequential.</summary>
    public BlockOptions Files { get; set; } = BlockOptions.Of(8, 2);
}
