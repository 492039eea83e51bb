namespace Pipeline.Storage.Sinks;

/// <summary>How a <see cref="SinkRunner"/> turns event batches into sealed batches.</summary>
public enum SinkEncodeMode
{
    /// <summary>One loop appends event batches into one pending batch and seals it at a count, byte or age limit.</summary>
    Accumulate,

    /// <summary>Every event batch is sealed on its own, by up to <see cref="SinkRunnerOptions.EncodeParallelism"/> encoders at once, order kept.</summary>
    EachBatch,
}
