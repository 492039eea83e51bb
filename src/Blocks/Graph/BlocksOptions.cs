using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Graph;

/// <summary>The <c>Pipeline:Blocks</c> section: one <see cref="BlockOptions"/> per block.</summary>
public sealed class BlocksOptions : IValidatedOptions
{
    public BlockOptions Parse { get; set; } = BlockOptions.Of(8, 2);
    public BlockOptions Redact { get; set; } = BlockOptions.Of(8, 2);
    public BlockOptions Enrich { get; set; } = BlockOptions.Of(8, 1);

    /// <summary>
    /// The pattern-mine block. The miner is thread-safe, so parallelism above 1 is correct; the default is
    /// 1 because one thread mines ≈3M events/s, and two threads on the same hot templates would bounce their
    /// counters' cache lines between cores.
    /// </summary>
    public BlockOptions PatternMine { get; set; } = BlockOptions.Of(8, 1);
    public BlockOptions FanOut { get; set; } = BlockOptions.Of(8, 1);

    /// <summary>The alert block (a fan-out target). Its rule state is single-threaded, so parallelism must stay 1.</summary>
    public BlockOptions Alerts { get; set; } = BlockOptions.Of(8, 1);

    /// <summary>The robots sink (a fan-out target keeping each robot's recent events and counts). One thread per robot table.</summary>
    public BlockOptions Robots { get; set; } = BlockOptions.Of(8, 1);

    /// <summary>The rolling-files sink: parallelism applies to encoding; writing is sequential.</summary>
    public BlockOptions Files { get; set; } = BlockOptions.Of(8, 2);

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Parse.Validate(errors.Nested(nameof(Parse)));
        Redact.Validate(errors.Nested(nameof(Redact)));
        Enrich.Validate(errors.Nested(nameof(Enrich)));
        PatternMine.Validate(errors.Nested(nameof(PatternMine)));
        FanOut.Validate(errors.Nested(nameof(FanOut)));
        Alerts.Validate(errors.Nested(nameof(Alerts)));
        errors.Check(Alerts.MaxDegreeOfParallelism <= 1, "Alerts:MaxDegreeOfParallelism",
            $"must be 1 (got {Alerts.MaxDegreeOfParallelism}): the alert rules' windows and states are updated by one thread.");
        Robots.Validate(errors.Nested(nameof(Robots)));
        errors.Check(Robots.MaxDegreeOfParallelism <= 1, "Robots:MaxDegreeOfParallelism",
            $"must be 1 (got {Robots.MaxDegreeOfParallelism}): each robot's recent events and counts have one writer.");
        Files.Validate(errors.Nested(nameof(Files)));
    }
}
