using System.Text;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Routes;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Spool;

namespace Pipeline.Storage.RabbitMq;

/// <summary>Options of the RabbitMQ sink (<c>Pipeline:Sinks:RabbitMq</c>). The sink is on when <see cref="Uri"/> is set.</summary>
public sealed class RabbitMqSinkOptions : IValidatedOptions
{
    public const string DefaultRoutingKey = "{level}.{type}.{robot_id}";

    /// <summary>The broker, <c>amqp://user:pass@host:5672/vhost</c> (or <c>amqps://</c>). Unset: sink off.</summary>
    public string? Uri { get; set; }

    /// <summary>The exchange events go to unless a route names another; declared as a durable topic exchange at connect. Default <c>pipeline.events</c>.</summary>
    public string Exchange { get; set; } = "pipeline.events";

    /// <summary>
    /// The routing-key template for events without a route of their own. Placeholders <c>{level}</c>
    /// (lower-case name), <c>{type}</c>, <c>{robot_id}</c>, <c>{site}</c>, <c>{level_code}</c>; a missing
    /// value is <c>none</c>, and dots, <c>*</c>, <c>#</c> and whitespace inside a value become <c>_</c>
    /// (so a value never adds topic words). Default <c>{level}.{type}.{robot_id}</c>.
    /// </summary>
    public string RoutingKey { get; set; } = DefaultRoutingKey;

    /// <summary>One message per event (default) or one LZ4 NDJSON message per routing key and batch.</summary>
    public RabbitMqMode Mode { get; set; } = RabbitMqMode.Event;

    /// <summary>Events no route matches are published with <see cref="RoutingKey"/> to <see cref="Exchange"/>. Default true.</summary>
    public bool PublishUnmatched { get; set; } = true;

    /// <summary>Publishes awaiting their confirm at once; also the most a broker restart can duplicate. Default 256.</summary>
    public int OutstandingConfirms { get; set; } = 256;

    /// <summary>A publish not confirmed this long fails (the client has no timeout of its own and can hang after a broker restart). Default 10 s.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connecting, and declaring the exchanges, within this. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Event batches the sink queues before the fan-out waits. Default 8.</summary>
    public int BoundedCapacity { get; set; } = 8;

    /// <summary>A sealed batch is sealed once it holds this many deliveries (events × targets; checked after each event batch, so it can hold up to one event batch more)... Default 10 000.</summary>
    public int BatchMaxEvents { get; set; } = 10_000;

    /// <summary>...or this long after its first event. Default 200 ms.</summary>
    public TimeSpan BatchMaxDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Attempts of one batch before it goes to the spool. Default 3.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>First delay between attempts; doubled each time, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts, and between replay probes while spooling. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Times a message may come back unroutable (no queue bound to its key) before it is dead-lettered with reason <c>unroutable</c>. Default 3.</summary>
    public int UnroutableAttempts { get; set; } = 3;

    /// <summary>The disk spool for batches the broker did not confirm. Directory default <c>&lt;DataDir&gt;/spool/rabbitmq</c>.</summary>
    public DiskSpoolOptions Spool { get; set; } = new();

    /// <summary>Adds a message naming the key for every bad value (<paramref name="prefix"/> is <c>Pipeline:Sinks:RabbitMq</c>).</summary>
    public void Validate(string prefix, List<string> errors) => Validate(new OptionsErrors(prefix, errors));

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var Check = errors.Check;

        if (Uri is { Length: > 0 } uri)
        {
            Check(System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "amqp" or "amqps" && parsed.Host.Length > 0,
                "Uri", "must be amqp://user:pass@host:5672/vhost (or amqps://), got something else.");
        }

        Check(Exchange.Length > 0 && Encoding.UTF8.GetByteCount(Exchange) <= 255, "Exchange",
            $"must be 1 to 255 bytes (the default exchange \"\" cannot be declared), got '{Exchange}'.");
        if (RoutingKeyTemplateSyntax.Check(RoutingKey) is { } problem)
        {
            errors.Add(nameof(RoutingKey), problem);
        }

        Check(Enum.IsDefined(Mode), "Mode", $"must be Event or Batch (got {Mode}).");
        Check(OutstandingConfirms is >= 1 and <= 65_535, "OutstandingConfirms", $"must be 1 to 65 535 (got {OutstandingConfirms}).");
        Check(PublishTimeout > TimeSpan.Zero, "PublishTimeout", $"must be positive, e.g. 00:00:10 (got {PublishTimeout}).");
        Check(ConnectTimeout > TimeSpan.Zero, "ConnectTimeout", $"must be positive, e.g. 00:00:05 (got {ConnectTimeout}).");
        Check(BoundedCapacity >= 1, "BoundedCapacity", $"must be at least 1 (got {BoundedCapacity}); the sink is never unbounded.");
        Check(BatchMaxEvents is >= 1 and <= 1_000_000, "BatchMaxEvents", $"must be 1 to 1 000 000 (got {BatchMaxEvents}).");
        Check(BatchMaxDelay > TimeSpan.Zero, "BatchMaxDelay", $"must be positive (got {BatchMaxDelay}).");
        Check(Attempts >= 1, "Attempts", $"must be at least 1 (got {Attempts}).");
        Check(RetryDelay > TimeSpan.Zero, "RetryDelay", $"must be positive (got {RetryDelay}).");
        Check(RetryMaxDelay >= RetryDelay, "RetryMaxDelay", $"must be at least RetryDelay (got {RetryMaxDelay}).");
        Check(UnroutableAttempts >= 1, "UnroutableAttempts", $"must be at least 1 (got {UnroutableAttempts}).");
        Spool.Validate(errors.Nested(nameof(Spool)));
    }

    /// <summary>The runner's settings from these keys; the spool goes to <paramref name="spoolDirectory"/> unless <c>Spool:Directory</c> is set.</summary>
    public SinkRunnerOptions ToRunnerOptions(string spoolDirectory) => new()
    {
        BoundedCapacity = BoundedCapacity,
        EncodeMode = SinkEncodeMode.Accumulate,
        BatchMaxEvents = BatchMaxEvents,
        BatchMaxDelay = BatchMaxDelay,
        Attempts = Attempts,
        RetryDelay = RetryDelay,
        RetryMaxDelay = RetryMaxDelay,
        Jitter = true,
        Spool = Spool,
        SpoolDirectory = Spool.Directory ?? spoolDirectory,
        FailedReason = "publish_failed",
        WriteStage = "publish",
        KeyPrefix = "Pipeline:Sinks:RabbitMq",
    };
}
