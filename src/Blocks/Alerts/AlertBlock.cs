using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Alerts.Internal;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// The alert engine as a target of the fan-out: it takes every batch into a bounded input, matches it against
/// the rules (counting windows, no allocation per event), notifies routes' channels of routed events, and
/// releases the batch. A tick every <c>EvaluationInterval</c> (on the <see cref="TimeProvider"/>) moves the
/// alerts' states and notifies the channels through <see cref="IAlertNotifier"/>, which never blocks, so the
/// graph never waits on a channel. Also the query surface of <c>/api/alerts</c> and <c>/api/silences</c>.
/// </summary>
public sealed class AlertBlock : IEventSink, ILifecycleComponent, IDisposable
{
    private readonly AlertEngine _engine;
    private readonly AlertRulesFile? _rulesFile;
    private readonly ActionBlock<EventBatch> _block;
    private readonly ComponentMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TimeSpan _earlyGap;
    private Task _loop = Task.CompletedTask;
    private long _processed;
    private int _wakePending;
    private long _lastEvaluation;

    /// <param name="options">Validated <c>Pipeline:Alerts</c>.</param>
    /// <param name="routes"><c>Pipeline:Routes</c> (validated): those with <c>Channels</c> notify of every matching event.</param>
    /// <param name="block">The bounded input (<c>Pipeline:Blocks:Alerts</c>); parallelism must be 1.</param>
    /// <param name="directory">Where <c>state.json</c> and <c>silences.json</c> go; null keeps everything in memory.</param>
    public AlertBlock(AlertsOptions options, IReadOnlyList<RouteOptions> routes, BlockOptions block, IAlertNotifier notifier,
        IFleetRegistrySource? registry, TimeProvider time, PipelineMetrics metrics, ILogger logger, string? directory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(metrics);
        OptionsErrors.ThrowIfInvalid(options, "Pipeline:Alerts");
        _time = time;
        _interval = options.EvaluationInterval;
        _earlyGap = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, _interval.Ticks / 10));
        _logger = logger;
        _metrics = metrics.ForComponent("alerts");
        Silences = new SilenceStore(directory, time);
        var loader = new AlertRulesLoader(options);
        var configured = loader.Compile(options.Rules, "Pipeline:Alerts:Rules").Compiled;
        var fromFile = options.RulesPath is { Length: > 0 } path && File.Exists(path)
            ? loader.CheckFile(path, configured.Select(r => r.Name))
            : null;
        if (fromFile is { IsValid: false })
        {
            foreach (var error in fromFile.Errors)
            {
                AlertsLog.RulesFileInvalid(logger, options.RulesPath!, error);
            }
        }

        IReadOnlyList<CompiledRule> rules = [.. configured, .. fromFile?.Compiled ?? []];
        _engine = new AlertEngine(options, rules, RouteTable.Compile(routes), notifier, Silences, registry, time,
            new AlertMetrics(metrics), logger, directory);
        foreach (var rule in rules)
        {
            foreach (var channel in rule.Channels)
            {
                if (!notifier.Channels.Contains(channel))
                {
                    AlertsLog.UnknownChannel(logger, rule.Name, channel);
                }
            }
        }

        if (options.RulesPath is { Length: > 0 } rulesPath)
        {
            _rulesFile = new AlertRulesFile(rulesPath, loader, configured, _engine, time, options.ReloadDebounce, logger);
        }

        _block = new ActionBlock<EventBatch>(Process, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = block.BoundedCapacity,
            MaxDegreeOfParallelism = 1,
        });
        var depth = metrics.BlockQueueDepth.WithLabels("alerts");
        metrics.OnCollect(() => depth.Set(_block.InputCount));
    }

    public string Name => "alerts";

    public ITargetBlock<EventBatch> Input => _block;

    public Task Completion => _block.Completion;

    /// <summary>Always healthy: the alert block drops nothing and waits on nothing; channels report their own trouble.</summary>
    public SinkHealth Health => SinkHealth.Healthy;

    public SinkSummary Summary => new(Interlocked.Read(ref _processed), 0, 0, null);

    /// <summary>Starts first and stops last (<see cref="LifecycleStage.State"/>): it sees every batch the graph drains, and saves its state at the end.</summary>
    public LifecycleStage Stage => LifecycleStage.State;

    public SilenceStore Silences { get; }

    internal AlertEngine Engine => _engine;

    internal AlertRulesFile? RulesFile => _rulesFile;

    /// <summary>Firing, pending and offline alerts.</summary>
    public IReadOnlyList<AlertStatus> Active() => _engine.Active();

    /// <summary>The most recently resolved alerts, newest first.</summary>
    public IReadOnlyList<ResolvedAlert> RecentResolved() => _engine.RecentResolved();

    public IReadOnlyList<AlertRuleStatus> Rules() => _engine.Rules();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _rulesFile?.Start();
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _engine.Flush();
    }

    public void Dispose()
    {
        _rulesFile?.Dispose();
        _stopping.Dispose();
        _wake.Dispose();
    }

    /// <summary>One evaluation now: of every group (what the timer does every interval), or, early, of the groups events put over a rule without <c>For</c>.</summary>
    internal void Tick() => Tick(early: false);

    private void Tick(bool early)
    {
        Volatile.Write(ref _lastEvaluation, _time.GetTimestamp());
        try
        {
            if (early)
            {
                _engine.EvaluateWoken();
            }
            else
            {
                _engine.Evaluate();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One bad tick must not end alerting for good.
            _metrics.Error("tick");
            AlertsLog.TickFailed(_logger, ex);
        }
    }

    private void Process(EventBatch batch)
    {
        try
        {
            _metrics.In.Inc(batch.Count);
            _engine.Process(batch);
            Interlocked.Add(ref _processed, batch.Count);
            if (_engine.TakeWake() && Interlocked.Exchange(ref _wakePending, 1) == 0)
            {
                _wake.Release(); // at most one outstanding: the loop clears the flag before it evaluates
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A delegate that throws would fault the block and the graph: count, log, go on.
            _metrics.Error("match");
            AlertsLog.BatchFailed(_logger, batch.Count, ex);
        }
        finally
        {
            batch.Release();
        }
    }

    /// <summary>
    /// Evaluates every interval, and early when an event put a group over a rule without <c>For</c> (at most once
    /// per a tenth of the interval, 10 ms at least): an alert fires within milliseconds of its triggering event
    /// instead of up to a whole interval later. Every transition compares times, so extra evaluations only
    /// make them timelier.
    /// </summary>
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            var wake = _wake.WaitAsync(cancellationToken);
            while (true)
            {
                if (await Task.WhenAny(tick, wake).ConfigureAwait(false) == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        return;
                    }

                    Tick();
                    tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
                    continue;
                }

                await wake.ConfigureAwait(false);
                var since = _time.GetElapsedTime(Volatile.Read(ref _lastEvaluation));
                if (since < _earlyGap)
                {
                    await Task.Delay(_earlyGap - since, _time, cancellationToken).ConfigureAwait(false);
                }

                Volatile.Write(ref _wakePending, 0);
                Tick(early: true);
                wake = _wake.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
