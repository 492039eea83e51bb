using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.Redact;
using Pipeline.Ingest.Framing;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.DeadLetters;
using Pipeline.Storage.Files;

namespace Pipeline.Ingest.Configuration;

/// <summary>
/// Every component's options, bound from configuration with unknown keys rejected, and checked.
/// Built once at start (and by <c>pipeline validate</c>) so a bad key stops the service before it
/// accepts a connection, with a message naming the key.
/// </summary>
internal sealed class PipelineSettings
{
    private static readonly string[] KnownSections = ["DataDir", "Ingest", "Blocks", "Parse", "Redact", "Enrich", "PatternMine", "Sinks", "DeadLetter"];
    private static readonly string[] KnownSinks = ["Files", "ClickHouse"];

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

    public string FilesDirectory => Files.Directory ?? Path.Combine(Pipeline.DataDir, "logs");
    public string DeadLetterDirectory => DeadLetter.Directory ?? Path.Combine(Pipeline.DataDir, "deadletter");
    public string PatternsDirectory => PatternMine.Snapshots.Directory ?? Path.Combine(Pipeline.DataDir, "patterns");
    public string ClickHouseSpoolDirectory => ClickHouse.Spool.Directory ?? Path.Combine(Pipeline.DataDir, "spool", "clickhouse");

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
        };
        settings.Validate(errors);
        return settings;
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
    private static void BindSection(object target, IConfigurationSection section, List<string> errors)
    {
        var properties = Array.FindAll(
            target.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance),
            p => p.CanWrite);
        foreach (var child in section.GetChildren())
        {
            var property = Array.Find(properties, p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                errors.Add($"{child.Path}: unknown setting (known: {string.Join(", ", Array.ConvertAll(properties, p => p.Name))}).");
                continue;
            }

            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) &&
                property.PropertyType.Namespace?.StartsWith("Pipeline", StringComparison.Ordinal) == true)
            {
                BindSection(property.GetValue(target)!, child, errors);
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

    private void Validate(List<string> errors)
    {
        void Check(bool ok, string key, string message)
        {
            if (!ok)
            {
                errors.Add($"Pipeline:{key}: {message}");
            }
        }

        Check(!string.IsNullOrWhiteSpace(Pipeline.DataDir), "DataDir", "must name a directory.");
        Check(Uri.TryCreate(Ingest.HttpUrl, UriKind.Absolute, out var url) && url.Scheme == "http", "Ingest:HttpUrl",
            $"must be an http:// URL such as http://127.0.0.1:5080 (got '{Ingest.HttpUrl}').");
        Check(EndpointParser.TryParse(Ingest.TcpEndpoint, out _), "Ingest:TcpEndpoint",
            $"must be host:port such as 127.0.0.1:5140 (got '{Ingest.TcpEndpoint}').");
        Check(Ingest.MaxLineBytes is >= 64 and <= 64 * 1024 * 1024, "Ingest:MaxLineBytes", $"must be 64 B to 64 MiB (got {Ingest.MaxLineBytes}).");
        Check(Ingest.BatchMaxBytes is >= 1024 and <= 64 * 1024 * 1024, "Ingest:BatchMaxBytes", $"must be 1 KiB to 64 MiB (got {Ingest.BatchMaxBytes}).");
        Check(Ingest.BatchMaxEvents >= 1, "Ingest:BatchMaxEvents", $"must be at least 1 (got {Ingest.BatchMaxEvents}).");
        Check(Ingest.FlushInterval > TimeSpan.Zero, "Ingest:FlushInterval", $"must be positive, e.g. 00:00:00.050 (got {Ingest.FlushInterval}).");
        Check(Ingest.IdleTimeout > TimeSpan.Zero, "Ingest:IdleTimeout", $"must be positive (got {Ingest.IdleTimeout}).");
        Check(Ingest.MaxConnections >= 1, "Ingest:MaxConnections", $"must be at least 1 (got {Ingest.MaxConnections}).");

        CheckBlock(Blocks.Parse, "Parse", errors);
        CheckBlock(Blocks.Redact, "Redact", errors);
        CheckBlock(Blocks.Enrich, "Enrich", errors);
        CheckBlock(Blocks.PatternMine, "PatternMine", errors);
        CheckBlock(Blocks.FanOut, "FanOut", errors);
        CheckBlock(Blocks.Files, "Files", errors);

        Check(Parse.MaxDepth is >= 2 and <= 1000, "Parse:MaxDepth", $"must be 2 to 1000 (got {Parse.MaxDepth}).");
        Check(Parse.MaxStringChars is 0 or >= 16, "Parse:MaxStringChars", $"must be 0 (off) or at least 16 characters (got {Parse.MaxStringChars}).");
        for (var i = 0; i < Redact.Patterns.Count; i++)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(Redact.Patterns[i]);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Pipeline:Redact:Patterns:{i}: not a valid regular expression: {ex.Message}");
            }
        }

        Check(Redact.Keys.TrueForAll(k => !string.IsNullOrWhiteSpace(k)), "Redact:Keys", "must not contain empty keys.");
        if (Enrich.RegistryPath is { Length: > 0 } registry)
        {
            Check(File.Exists(registry), "Enrich:RegistryPath", $"file '{registry}' does not exist.");
        }

        Check(Enrich.RegistryPollInterval > TimeSpan.Zero, "Enrich:RegistryPollInterval", "must be positive.");
        Check(Files.MaxFileBytes >= 4096, "Sinks:Files:MaxFileBytes", $"must be at least 4096 (got {Files.MaxFileBytes}).");
        Check(Files.MaxFileAge > TimeSpan.Zero, "Sinks:Files:MaxFileAge", $"must be positive (got {Files.MaxFileAge}).");
        Check(Files.RetainFiles >= 0, "Sinks:Files:RetainFiles", $"must be 0 (keep all) or more (got {Files.RetainFiles}).");
        Check(Files.RetainAge >= TimeSpan.Zero, "Sinks:Files:RetainAge", $"must be zero (keep all) or positive (got {Files.RetainAge}).");
        Check(Files.WriteRetries >= 0, "Sinks:Files:WriteRetries", $"must be 0 or more (got {Files.WriteRetries}).");
        Check(DeadLetter.MaxBytesPerRecord is >= 16 and <= 1024 * 1024, "DeadLetter:MaxBytesPerRecord", $"must be 16 B to 1 MiB (got {DeadLetter.MaxBytesPerRecord}).");
        Check(DeadLetter.QueueCapacity >= 1, "DeadLetter:QueueCapacity", $"must be at least 1 (got {DeadLetter.QueueCapacity}).");
        Check(DeadLetter.MaxFileBytes >= 4096, "DeadLetter:MaxFileBytes", $"must be at least 4096 (got {DeadLetter.MaxFileBytes}).");
        Check(DeadLetter.RetainFiles >= 1, "DeadLetter:RetainFiles", $"must be at least 1 (got {DeadLetter.RetainFiles}).");
        ClickHouse.Validate("Pipeline:Sinks:ClickHouse", errors);
        try
        {
            PatternMine.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // The message names the key (Pipeline:PatternMine:…); the parameter suffix adds nothing.
            errors.Add($"{ex.Message.Split(" (Parameter", 2)[0]} (got {ex.ActualValue}).");
        }
    }

    private static void CheckBlock(BlockOptions block, string name, List<string> errors)
    {
        if (block.BoundedCapacity < 1)
        {
            errors.Add($"Pipeline:Blocks:{name}:BoundedCapacity: must be at least 1 (got {block.BoundedCapacity}); blocks are never unbounded.");
        }

        if (block.MaxDegreeOfParallelism < 1)
        {
            errors.Add($"Pipeline:Blocks:{name}:MaxDegreeOfParallelism: must be at least 1 (got {block.MaxDegreeOfParallelism}).");
        }
    }
}
