using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.Redact;
using Pipeline.Blocks.Routes;
using RouteOptions = Pipeline.Blocks.Routes.RouteOptions;
using Pipeline.Ingest.Auth;
using Pipeline.Ingest.Framing;
using Pipeline.Storage.Alerting;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.DeadLetters;
using Pipeline.Storage.Files;
using Pipeline.Storage.RabbitMq;

namespace Pipeline.Ingest.Configuration;

/// <summary>
/// Every component's options, bound from configuration with unknown keys rejected, and checked.
/// Built once at start (and by <c>pipeline validate</c>) so a bad key stops the service before it
/// accepts a connection, with a message naming the key.
/// </summary>
internal sealed class PipelineSettings
{
    private static readonly string[] KnownSections = ["DataDir", "Ingest", "Blocks", "Parse", "Redact", "Enrich", "PatternMine", "Sinks", "Routes", "DeadLetter", "Alerts", "Auth", "Robots", "Acks", "Tail"];
    private static readonly string[] KnownSinks = ["Files", "ClickHouse", "RabbitMq"];

    public PipelineOptions Pipeline { get; private init; } = new();
    public IngestOptions Ingest { get; private init; } = new();
    public BlocksOptions Blocks { get; private init; } = new();
    public ParseOptions Parse { get; private init; } = new();
    public RedactOptions Redact { get; private init; } = new();
    public EnrichOptions Enrich { get; private init; } = new();
    public PatternMineOptions PatternMine { get; private init; } = new();
    public FilesSinkOptions Files { get; private init; } = new();
    public DeadLetterOptions DeadLetter { get; private init; } = new();
    public ClickHouseSinkOptions ClickHouse { get; private init; } = new();
    public RabbitMqSinkOptions RabbitMq { get; private init; } = new();

    /// <summary><c>Pipeline:Alerts</c> without <c>Channels</c> (the notification channels bind those).</summary>
    public AlertsOptions Alerts { get; private init; } = new();

    /// <summary><c>Pipeline:Alerts:Channels</c>: the notification channels by name.</summary>
    public AlertChannelsOptions AlertChannels { get; private init; } = new();

    /// <summary><c>Pipeline:Auth</c>: robot and ops tokens, and the per-address failure limit.</summary>
    public AuthOptions Auth { get; private init; } = new();

    /// <summary><c>Pipeline:Robots</c>: presence, lifecycle events, commands and last-known state.</summary>
    public Robots.RobotsOptions Robots { get; private init; } = new();

    /// <summary><c>Pipeline:Acks</c>: acknowledged delivery (docs/acks.md).</summary>
    public Storage.Acks.AckOptions Acks { get; private init; } = new();

    /// <summary><c>Pipeline:Tail</c>: the live tail (docs/watching-tail.md).</summary>
    public Tail.TailOptions Tail { get; private init; } = new();

    /// <summary>Where the highest durable seq per robot boot is kept across restarts.</summary>
    public string AcksDirectory => Path.Combine(Pipeline.DataDir, "acks");

    /// <summary>Where robot session numbers are kept across restarts.</summary>
    public string RobotsDirectory => Path.Combine(Pipeline.DataDir, "robots");

    /// <summary><c>Pipeline:Routes</c>, in order.</summary>
    public List<RouteOptions> Routes { get; private init; } = [];

    /// <summary>
    /// Settings that still work but need a look, each saying what to do (logged at start): keys that
    /// have moved, a TLS certificate outside its validity dates.
    /// </summary>
    public List<string> Warnings { get; } = [];

    public string FilesDirectory => Files.Directory ?? Path.Combine(Pipeline.DataDir, "logs");
    public string DeadLetterDirectory => DeadLetter.Directory ?? Path.Combine(Pipeline.DataDir, "deadletter");
    public string PatternsDirectory => PatternMine.Snapshots.Directory ?? Path.Combine(Pipeline.DataDir, "patterns");
    public string ClickHouseSpoolDirectory => ClickHouse.Spool.Directory ?? Path.Combine(Pipeline.DataDir, "spool", "clickhouse");
    public string AlertsDirectory => Alerts.Directory ?? Path.Combine(Pipeline.DataDir, "alerts");
    public string RabbitMqSpoolDirectory => RabbitMq.Spool.Directory ?? Path.Combine(Pipeline.DataDir, "spool", "rabbitmq");

    /// <summary>Binds and validates; <paramref name="errors"/> lists every problem, each naming its key.</summary>
    public static PipelineSettings Load(IConfiguration configuration, List<string> errors)
    {
        var root = configuration.GetSection("Pipeline");
        foreach (var child in root.GetChildren())
        {
            if (!KnownSections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Pipeline:{child.Key}: unknown setting (known: {string.Join(", ", KnownSections)}).");
            }
        }

        foreach (var child in root.GetSection("Sinks").GetChildren())
        {
            if (!KnownSinks.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Pipeline:Sinks:{child.Key}: unknown sink (known: {string.Join(", ", KnownSinks)}).");
            }
        }

        var settings = new PipelineSettings
        {
            Pipeline = new PipelineOptions { DataDir = root["DataDir"] ?? "data" },
            Ingest = Bind<IngestOptions>(root, "Ingest", errors),
            Blocks = Bind<BlocksOptions>(root, "Blocks", errors),
            Parse = Bind<ParseOptions>(root, "Parse", errors),
            Redact = Bind<RedactOptions>(root, "Redact", errors),
            Enrich = Bind<EnrichOptions>(root, "Enrich", errors),
            PatternMine = Bind<PatternMineOptions>(root, "PatternMine", errors),
            Files = Bind<FilesSinkOptions>(root, "Sinks:Files", errors),
            DeadLetter = Bind<DeadLetterOptions>(root, "DeadLetter", errors),
            ClickHouse = Bind<ClickHouseSinkOptions>(root, "Sinks:ClickHouse", errors),
            RabbitMq = Bind<RabbitMqSinkOptions>(root, "Sinks:RabbitMq", errors),
            Routes = BindList<RouteOptions>(root, "Routes", errors),
            Alerts = BindAlerts(root, errors),
            AlertChannels = BindAlertChannels(root, errors),
            Auth = Bind<AuthOptions>(root, "Auth", errors),
            Robots = Bind<Robots.RobotsOptions>(root, "Robots", errors),
            Acks = Bind<Storage.Acks.AckOptions>(root, "Acks", errors),
            Tail = Bind<Tail.TailOptions>(root, "Tail", errors),
        };
        settings.MoveDeprecatedKeys(root);
        settings.Validate(errors);
        return settings;
    }

    /// <summary>
    /// Sink capacities live under <c>Pipeline:Sinks:&lt;Sink&gt;</c>; the files sink's used to be
    /// <c>Pipeline:Blocks:Files</c>. The old keys still work (the new ones win) and say where to go.
    /// </summary>
    private void MoveDeprecatedKeys(IConfigurationSection root)
    {
        foreach (var key in (string[])["BoundedCapacity", "MaxDegreeOfParallelism"])
        {
            if (root.GetSection("Blocks:Files:" + key).Value is null)
            {
                continue;
            }

            Warnings.Add($"Pipeline:Blocks:Files:{key} is deprecated: set Pipeline:Sinks:Files:{key} instead" +
                (root.GetSection("Sinks:Files:" + key).Value is null ? " (used for now)." : " (ignored: Pipeline:Sinks:Files:" + key + " is set)."));
            // A bad old value is reported once, under its own key (BlocksOptions validates it).
            if (root.GetSection("Sinks:Files:" + key).Value is null && Blocks.Files.BoundedCapacity >= 1 && Blocks.Files.MaxDegreeOfParallelism >= 1)
            {
                if (key == "BoundedCapacity")
                {
                    Files.BoundedCapacity = Blocks.Files.BoundedCapacity;
                }
                else
                {
                    Files.MaxDegreeOfParallelism = Blocks.Files.MaxDegreeOfParallelism;
                }
            }
        }
    }

    /// <summary>A list section (<c>Pipeline:Routes:0</c>, <c>:1</c>, …), each entry bound key by key like a section.</summary>
    private static List<T> BindList<T>(IConfigurationSection root, string path, List<string> errors)
        where T : new()
    {
        var list = new List<T>();
        var section = root.GetSection(path);
        if (section.Value is { Length: > 0 })
        {
            errors.Add($"{section.Path}: must be a list of entries ({path}:0:…, {path}:1:…), got a single value.");
            return list;
        }

        var children = section.GetChildren().ToList();
        foreach (var child in children)
        {
            if (!int.TryParse(child.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"{child.Path}: {path} is a list: entries are numbered from 0 (got '{child.Key}').");
            }
        }

        children.Sort((a, b) => (int.TryParse(a.Key, out var x) ? x : int.MaxValue).CompareTo(int.TryParse(b.Key, out var y) ? y : int.MaxValue));
        foreach (var child in children)
        {
            var entry = new T();
            BindSection(entry, child, errors);
            list.Add(entry);
        }

        return list;
    }

    /// <summary>
    /// A list of plain values (<c>Match:LevelCodes:0</c>, <c>:1</c>, …) element by element, so that an
    /// unreadable element is reported with its key (the binder would drop it without a word).
    /// </summary>
    private static System.Collections.IList BindList(Type listType, IConfigurationSection section, List<string> errors)
    {
        var elementType = listType.GetGenericArguments()[0];
        var list = (System.Collections.IList)Activator.CreateInstance(listType)!;
        if (section.Value is { Length: > 0 } single && !section.GetChildren().Any())
        {
            errors.Add($"{section.Path}: must be a list ({section.Key}:0, {section.Key}:1, … or a JSON array), got the single value '{single}'.");
            return list;
        }

        foreach (var item in section.GetChildren())
        {
            if (elementType.IsClass && elementType.Namespace?.StartsWith("Pipeline", StringComparison.Ordinal) == true)
            {
                // Entries that are sections (alert rules): key by key, so unknown keys are named too.
                var entry = Activator.CreateInstance(elementType)!;
                BindSection(entry, item, errors);
                list.Add(entry);
                continue;
            }

            try
            {
                if (item.Get(elementType) is { } value)
                {
                    list.Add(value);
                }
                else
                {
                    errors.Add($"{item.Path}: cannot read '{item.Value}' as {elementType.Name}.");
                }
            }
            catch (InvalidOperationException)
            {
                errors.Add($"{item.Path}: cannot read '{item.Value}' as {elementType.Name}.");
            }
        }

        return list;
    }

    /// <summary><c>Pipeline:Alerts</c>; its <c>Channels</c> sub-section belongs to the notification channels, which bind it themselves.</summary>
    private static AlertsOptions BindAlerts(IConfigurationSection root, List<string> errors)
    {
        var options = new AlertsOptions();
        BindSection(options, root.GetSection("Alerts"), errors, skip: "Channels");
        return options;
    }

    /// <summary>Each channel key by key (unknown keys named); a RabbitMq channel without a <c>Uri</c> uses the RabbitMQ sink's.</summary>
    private static AlertChannelsOptions BindAlertChannels(IConfigurationSection root, List<string> errors)
    {
        var options = new AlertChannelsOptions { DefaultRabbitMqUri = root["Sinks:RabbitMq:Uri"] is { Length: > 0 } uri ? uri : null };
        foreach (var child in root.GetSection("Alerts:Channels").GetChildren())
        {
            var channel = new AlertChannelOptions();
            BindSection(channel, child, errors);
            options.Channels[child.Key] = channel;
        }

        return options;
    }

    private static T Bind<T>(IConfigurationSection root, string path, List<string> errors)
        where T : new()
    {
        var options = new T();
        BindSection(options, root.GetSection(path), errors);
        return options;
    }

    /// <summary>
    /// Binds key by key, so that every unknown key and every unreadable value is reported with its full
    /// path (the binder stops at the first bad value and would hide the rest).
    /// </summary>
    private static void BindSection(object target, IConfigurationSection section, List<string> errors, string? skip = null)
    {
        var properties = Array.FindAll(
            target.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance),
            p => p.CanWrite);
        foreach (var child in section.GetChildren())
        {
            if (skip is not null && child.Key.Equals(skip, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var property = Array.Find(properties, p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                errors.Add($"{child.Path}: unknown setting (known: {string.Join(", ", Array.ConvertAll(properties, p => p.Name))}).");
                continue;
            }

            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) &&
                property.PropertyType.Namespace?.StartsWith("Pipeline", StringComparison.Ordinal) == true)
            {
                var nested = property.GetValue(target);
                if (nested is null)
                {
                    // An optional part (a route's RabbitMq target): present in config, so it exists.
                    nested = Activator.CreateInstance(property.PropertyType)!;
                    property.SetValue(target, nested);
                }

                BindSection(nested, child, errors);
                continue;
            }

            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                property.SetValue(target, BindList(property.PropertyType, child, errors));
                continue;
            }

            try
            {
                property.SetValue(target, child.Get(property.PropertyType));
            }
            catch (InvalidOperationException ex)
            {
                var hint = property.PropertyType == typeof(TimeSpan) ? " (a time span such as 00:00:05 or 00:00:00.050)" : "";
                errors.Add($"{child.Path}: cannot read '{child.Value}' as {property.PropertyType.Name}{hint}: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// Each options type checks its own keys under its section; only what belongs to the composition
    /// (the data directory that the other sections' defaults hang off) is checked here.
    /// </summary>
    private void Validate(List<string> errors)
    {
        var pipeline = new OptionsErrors("Pipeline", errors);
        pipeline.Check(!string.IsNullOrWhiteSpace(Pipeline.DataDir), "DataDir", "must name a directory.");
        Ingest.Validate(pipeline.Nested("Ingest"));
        if (Ingest.Tls.DateWarning(DateTimeOffset.UtcNow, "Pipeline:Ingest:Tls") is { } expiry)
        {
            Warnings.Add(expiry);
        }

        Blocks.Validate(pipeline.Nested("Blocks"));
        Parse.Validate(pipeline.Nested("Parse"));
        Redact.Validate(pipeline.Nested("Redact"));
        Enrich.Validate(pipeline.Nested("Enrich"));
        Files.Validate(pipeline.Nested("Sinks:Files"));
        DeadLetter.Validate(pipeline.Nested("DeadLetter"));
        ClickHouse.Validate(pipeline.Nested("Sinks:ClickHouse"));
        RabbitMq.Validate(pipeline.Nested("Sinks:RabbitMq"));
        RouteTable.Validate(Routes, "Pipeline:Routes", errors);
        PatternMine.Validate(pipeline.Nested("PatternMine"));
        Alerts.Validate(pipeline.Nested("Alerts"));
        AlertChannels.Validate(pipeline.Nested("Alerts:Channels"));
        ValidateChannelNames(errors);
        Auth.Validate(pipeline.Nested("Auth"));
        Robots.Validate(pipeline.Nested("Robots"));
        Acks.Validate(pipeline.Nested("Acks"));
        Tail.Validate(pipeline.Nested("Tail"));
    }

    /// <summary>Every channel a rule or a route names must be configured (rules of a RulesPath file are checked when it loads).</summary>
    private void ValidateChannelNames(List<string> errors)
    {
        var known = AlertChannels.Channels.Keys;
        var list = known.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", known);
        for (var i = 0; i < Alerts.Rules.Count; i++)
        {
            var channels = Alerts.Rules[i]?.Channels ?? [];
            for (var c = 0; c < channels.Count; c++)
            {
                if (!AlertChannels.Channels.ContainsKey(channels[c]))
                {
                    errors.Add($"Pipeline:Alerts:Rules:{i}:Channels:{c}: no channel '{channels[c]}' in Pipeline:Alerts:Channels ({list}).");
                }
            }
        }

        for (var i = 0; i < Routes.Count; i++)
        {
            var channels = Routes[i].Channels;
            for (var c = 0; c < channels.Count; c++)
            {
                if (!AlertChannels.Channels.ContainsKey(channels[c]))
                {
                    errors.Add($"Pipeline:Routes:{i}:Channels:{c}: no channel '{channels[c]}' in Pipeline:Alerts:Channels ({list}).");
                }
            }
        }
    }
}
