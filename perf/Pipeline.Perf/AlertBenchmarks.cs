using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;
using Pipeline.Perf.Infrastructure;

namespace Pipeline.Perf;

/// <summary>
/// The alert block's matching (<c>AlertEngine.Process</c>) on the processed fleet batch (500 robots) against
/// 50 rules of every kind grouped by robot_id — 20 threshold, 10 rate, 10 attribute (<c>data.battery &lt; N</c>),
/// 5 absent, 5 anomaly — plus a route with channels that no event matches. Every group exists after setup,
/// so this is the steady state: windows counted, conditions read from the attributes, group keys hashed and
/// compared, and nothing allocated per event.
/// <code>dotnet run -c Release --project perf/Pipeline.Perf -- --filter '*AlertBenchmarks*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class AlertBenchmarks
{
    private const int Events = BenchmarkData.Events;

    private static readonly string[] Types = ["status_update", "heartbeat", "command", "command_result", "connection", "error", "performance", "security"];
    private static readonly string[] Levels = ["DEBUG", "INFO", "WARNING", "ERROR"];

    private AlertBlock _block = null!;
    private AlertEngine _engine = null!;
    private EventBatch _batch = null!;

    /// <summary>Fleet: gen_events' mix of 500 robots per batch; one robot: a connection's batch (one group per rule, found again and again).</summary>
    [Params("fleet", "one-robot")]
    public string Data { get; set; } = "fleet";

    /// <summary>
    /// built-in: the rules below; e2e: perf/e2e/alerts/bench-50-rules.json, the 50 rules the end-to-end benchmark
    /// (<c>pipeline-tcp-alerts50</c>) runs — 15 threshold, 10 rate, 15 attribute over three paths, 5 absent, 5 anomaly.
    /// </summary>
    [Params("built-in", "e2e")]
    public string Rules { get; set; } = "built-in";

    [GlobalSetup]
    public void Setup()
    {
        var rules = new List<AlertRuleOptions>();
        for (var i = 0; i < 20; i++)
        {
            rules.Add(new AlertRuleOptions
            {
                Name = $"threshold-{i}", Kind = "threshold", Window = TimeSpan.FromMinutes(1 + (i % 5)), Threshold = 1000,
                Match = new RouteMatchOptions { Levels = [Levels[i % Levels.Length]], Types = i % 2 == 0 ? [] : [Types[i % Types.Length]] },
                GroupBy = ["robot_id"], Channels = ["ops"],
            });
        }

        for (var i = 0; i < 10; i++)
        {
            rules.Add(new AlertRuleOptions
            {
                Name = $"rate-{i}", Kind = "rate", Window = TimeSpan.FromSeconds(30), Threshold = 100,
                Match = new RouteMatchOptions { Types = [Types[i % Types.Length]] }, GroupBy = ["robot_id"], Channels = ["ops"],
            });
        }

        for (var i = 0; i < 10; i++)
        {
            rules.Add(new AlertRuleOptions
            {
                Name = $"battery-{i}", Kind = "attribute", Condition = $"data.battery < {5 + i}", For = TimeSpan.FromMinutes(2),
                GroupBy = ["robot_id"], Channels = ["ops"],
            });
        }

        for (var i = 0; i < 5; i++)
        {
            rules.Add(new AlertRuleOptions
            {
                Name = $"absent-{i}", Kind = "absent", For = TimeSpan.FromSeconds(90),
                Match = new RouteMatchOptions { Types = [Types[i % Types.Length]] }, GroupBy = ["robot_id"], Channels = ["ops"],
            });
        }

        for (var i = 0; i < 5; i++)
        {
            rules.Add(new AlertRuleOptions { Name = $"anomaly-{i}", Kind = "anomaly", GroupBy = ["robot_id"], Channels = ["ops"] });
        }

        var routes = new List<RouteOptions> { new() { Name = "critical", Match = new RouteMatchOptions { Levels = ["CRITICAL"] }, Channels = ["ops"] } };
        var options = Rules == "e2e"
            ? new AlertsOptions { RulesPath = Path.Combine(AppContext.BaseDirectory, "bench-50-rules.json") }
            : new AlertsOptions { Rules = rules };
        _block = new AlertBlock(options, routes, BlockOptions.Of(8, 1), new NullNotifier(), null,
            TimeProvider.System, new PipelineMetrics(), NullLogger.Instance, directory: null);
        _engine = _block.Engine;
        _batch = Data == "fleet" ? BenchmarkData.Processed() : OneRobot();

        // Every group exists from now on.
        Match();
        var groups = _block.Rules().Sum(r => r.Groups);
        if (groups < (Data == "fleet" ? 5_000 : 30))
        {
            throw new InvalidOperationException($"Only {groups} groups: the rules do not match the data, the benchmark would measure nothing.");
        }
    }

    private static EventBatch OneRobot()
    {
        var metrics = new PipelineMetrics();
        var batch = BenchmarkData.Framed(new EventBatchPool(), BenchmarkData.OneRobotNdjson());
        new Pipeline.Blocks.Parse.ParseBlock(new Pipeline.Blocks.Parse.ParseOptions(), metrics, new NullDeadLetterSink()).Process(batch);
        return batch;
    }

    [GlobalCleanup]
    public void Cleanup() => _block.Dispose();

    [Benchmark(OperationsPerInvoke = Events)]
    public void Match() => _engine.Process(_batch);

    private sealed class NullNotifier : IAlertNotifier
    {
        public IReadOnlyCollection<string> Channels { get; } = ["ops"];

        public bool Notify(string channel, AlertNotice notice) => true;
    }
}
