using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Storage.Alerting;

/// <summary>
/// The notification channels by name (<c>Pipeline:Alerts:Channels</c>), one runner each: what the
/// alert block and routes hand notices to. Stops in <see cref="LifecycleStage.Sinks"/>, after the
/// graph has drained (so the last alerts are in), sending what is pending within <see cref="StopTimeout"/>.
/// </summary>
public sealed class AlertChannels : IAlertNotifier, ILifecycleComponent, IAsyncDisposable
{
    private readonly Dictionary<string, AlertChannelRunner> _runners = new(StringComparer.OrdinalIgnoreCase);
    private readonly AlertChannelMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _stopped;

    /// <summary>Validates <paramref name="options"/> (throwing every error under its key path) and starts a runner per channel.</summary>
    public AlertChannels(AlertChannelsOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
        : this(options, metrics, time, logger, channelFactory: null)
    {
    }

    /// <summary>With <paramref name="channelFactory"/> building the channels (tests: a channel of their own); null: by <see cref="AlertChannelOptions.Type"/>.</summary>
    internal AlertChannels(AlertChannelsOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger,
        Func<string, AlertChannelOptions, IAlertChannel>? channelFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsErrors.ThrowIfInvalid(options, AlertChannelsOptions.KeyPath);
        _metrics = new AlertChannelMetrics(metrics);
        _time = time;
        _logger = logger;
        foreach (var (name, channelOptions) in options.Channels)
        {
            var channel = channelFactory?.Invoke(name, channelOptions) ?? AlertChannelFactory.Create(name, channelOptions, options.DefaultRabbitMqUri, time);
            _runners.Add(name, new AlertChannelRunner(channel, channelOptions, _metrics, time, logger));
        }

        Channels = [.. _runners.Keys];
    }

    public IReadOnlyCollection<string> Channels { get; }

    public LifecycleStage Stage => LifecycleStage.Sinks;

    /// <summary>How long stopping may take to send what is pending (then it is dropped, reason <c>shutdown</c>). Default 10 s.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What each channel did so far.</summary>
    public IReadOnlyList<AlertChannelSummary> Summaries
    {
        get
        {
            var summaries = new List<AlertChannelSummary>(_runners.Count);
            foreach (var runner in _runners.Values)
            {
                summaries.Add(runner.Summary);
            }

            return summaries;
        }
    }

    /// <inheritdoc />
    public bool Notify(string channel, AlertNotice notice)
    {
        channel ??= "";
        if (notice is not null && _runners.TryGetValue(channel, out var runner))
        {
            return runner.Notify(notice);
        }

        _metrics.Dropped.WithLabels(channel, DropReasons.UnknownChannel).Inc();
        AlertingLog.UnknownChannel(_logger, channel, string.Join(", ", Channels));
        return false;
    }

    /// <summary>
    /// Sends one test notification (<see cref="AlertNoticeKind.Test"/>) to <paramref name="channel"/> at
    /// once, past its queue, window, rate limit and retries: one attempt, whose error — the channel's
    /// own words — is what <c>pipeline alerts test &lt;channel&gt;</c> prints.
    /// </summary>
    public async Task<AlertTestResult> TestAsync(string channel, CancellationToken cancellationToken)
    {
        if (!_runners.TryGetValue(channel, out var runner))
        {
            return new AlertTestResult(false, Channels.Count == 0
                ? $"No alert channel '{channel}': none is configured in {AlertChannelsOptions.KeyPath}."
                : $"No alert channel '{channel}' in {AlertChannelsOptions.KeyPath} (known: {string.Join(", ", Channels)}).");
        }

        var now = _time.GetUtcNow();
        var test = new AlertNotice
        {
            Source = "pipeline_test",
            Kind = AlertNoticeKind.Test,
            GroupKey = "",
            Fingerprint = "0000000000000001",
            StartsAt = now,
            Severity = "info",
            Labels = new Dictionary<string, string> { ["alertname"] = "pipeline_test", ["severity"] = "info" },
            Annotations = new Dictionary<string, string> { ["summary"] = $"A test notification from Pipeline to channel {runner.Name}." },
            Example = $"pipeline alerts test {runner.Name} at {now:yyyy-MM-dd HH:mm:ss} UTC",
        };
        var digest = new AlertDigest(1);
        digest.Add(test);
        try
        {
            await runner.Channel.SendAsync(digest.Take(runner.Name), cancellationToken).ConfigureAwait(false);
            return AlertTestResult.Ok;
        }
        catch (AlertChannelException ex)
        {
            return new AlertTestResult(false, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failure the channel did not put in words of its own: still the CLI's answer, not a crash.
            return new AlertTestResult(false, $"{runner.Name}: {runner.Channel.Destination} failed ({ex.GetType().Name}: {ex.Message}).");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends what every channel holds (at once, in parallel), within <see cref="StopTimeout"/>; each says what it sent and dropped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var stops = new List<Task<AlertChannelSummary>>(_runners.Count);
        foreach (var runner in _runners.Values)
        {
            stops.Add(runner.StopAsync(StopTimeout));
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var runner in _runners.Values)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
