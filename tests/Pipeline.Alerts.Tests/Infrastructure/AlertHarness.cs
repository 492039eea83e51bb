using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;

namespace Pipeline.Alerts.Tests.Infrastructure;

/// <summary>
/// An alert block on a fake clock with a recording notifier. <see cref="Send"/> runs the engine's matching on
/// the test's thread and <see cref="Advance"/> moves the clock and runs one tick, so every step is deterministic.
/// </summary>
internal sealed class AlertHarness : IDisposable
{
    private long _connections = 100;

    public AlertHarness(AlertsOptions options, IReadOnlyList<RouteOptions>? routes = null, string? directory = null,
        IFleetRegistrySource? registry = null, FakeTimeProvider? time = null, RecordingNotifier? notifier = null, ILogger? logger = null)
    {
        Options = options;
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        Notifier = notifier ?? new RecordingNotifier();
        Metrics = new PipelineMetrics();
        Directory = directory;
        Block = new AlertBlock(options, routes ?? [], BlockOptions.Of(4, 1), Notifier, registry, Time, Metrics,
            logger ?? NullLogger.Instance, directory);
        Connection = NewConnection();
    }

    public AlertsOptions Options { get; }
    public FakeTimeProvider Time { get; }
    public RecordingNotifier Notifier { get; }
    public PipelineMetrics Metrics { get; }
    public string? Directory { get; }
    public AlertBlock Block { get; }
    public AlertBatches Batches { get; } = new();

    /// <summary>The robot connection <see cref="Send"/> uses, until replaced.</summary>
    public SourceConnection Connection { get; set; }

    public static AlertsOptions With(params AlertRuleOptions[] rules) => new() { Rules = [.. rules] };

    public SourceConnection NewConnection(string protocol = "tcp") => new(protocol, ++_connections, "127.0.0.1:5000", "test");

    public void Send(params string[] lines) => SendOn(Connection, lines);

    public void SendOn(SourceConnection source, params string[] lines)
    {
        var batch = Batches.From(source, lines);
        Block.Engine.Process(batch);
        batch.Release();
    }

    /// <summary>Hands a batch to the block's input, as the fan-out does (the block processes it on its own and releases it).</summary>
    public Task<bool> PostAsync(params string[] lines) => Block.Input.SendAsync(Batches.From(Connection, lines));

    /// <summary>Moves the clock and runs one tick.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Block.Tick();
    }

    /// <summary>Moves the clock in steps of <paramref name="step"/>, ticking at each, as the timer would.</summary>
    public void Run(TimeSpan total, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < total; t += step)
        {
            Advance(step);
        }
    }

    public AlertStatus? Alert(string rule, string? groupKey = null) =>
        Block.Active().FirstOrDefault(a => a.Rule == rule && (groupKey is null || a.GroupKey == groupKey));

    public double Counter(string name, params string[] labels)
    {
        using var stream = new MemoryStream();
        Metrics.WriteAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var prefix = labels.Length == 0 ? name + " " : name + "{" + string.Join(",", labels) + "} ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public void Dispose() => Block.Dispose();

    /// <summary>The alerts a restart would read from <paramref name="directory"/>: the snapshot with its journal applied.</summary>
    internal static IReadOnlyList<Pipeline.Blocks.Alerts.Internal.AlertStateEntry> Persisted(string directory) =>
        new Pipeline.Blocks.Alerts.Internal.AlertStateStore(directory, NullLogger.Instance).Load()?.Alerts ?? [];

    public static string Event(string robot, string type = "motor", string level = "ERROR", string attributes = "") =>
        $"{{\"robot_id\":\"{robot}\",\"level\":\"{level}\",\"type\":\"{type}\",\"msg\":\"event of {robot}\"{(attributes.Length > 0 ? "," + attributes : "")}}}";

    public static string Battery(string robot, double level) =>
        Event(robot, type: "status", level: "INFO", attributes: $"\"data\":{{\"battery\":{level.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"mode\":\"auto\"}}");
}
