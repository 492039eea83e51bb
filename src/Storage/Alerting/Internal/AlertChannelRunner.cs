using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Alerts;
using Pipeline.Storage.Resilience;
using Polly;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>
/// Everything one channel needs besides its I/O: a bounded queue that <see cref="Notify"/> never waits
/// on, the grouping window (notices within <c>GroupWait</c> of the first become one message), the
/// rate limit (while it holds a message back, notices keep merging into it), retries with backoff and
/// jitter honouring the destination's wait, and drop accounting. One loop per channel, so a slow or
/// dead channel only holds up itself.
/// </summary>
internal sealed class AlertChannelRunner : IAsyncDisposable
{
    private readonly IAlertChannel _channel;
    private readonly AlertChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<AlertNotice> _queue;
    private readonly AlertDigest _digest;
    private readonly RateWindow _rate;
    private readonly ResiliencePipeline _retry;
    private readonly AlertChannelMetrics _metrics;
    private readonly Prometheus.Counter.Child _sentCounter;
    private readonly Prometheus.Counter.Child _failedCounter;
    private readonly Prometheus.Counter.Child _queued;
    private readonly CancellationTokenSource _flush = new(); // cut every wait short: stopping
    private readonly CancellationTokenSource _abort = new(); // stop sending at all: stop took too long
    private readonly Task _loop;
    private AlertMessage? _current;
    private volatile bool _fullLogged;
    private long _sent;
    private long _failed;
    private long _dropped;

    public AlertChannelRunner(IAlertChannel channel, AlertChannelOptions options, AlertChannelMetrics metrics, TimeProvider time, ILogger logger)
    {
        _channel = channel;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _queue = System.Threading.Channels.Channel.CreateBounded<AlertNotice>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then returns false: the drop is ours to count
            SingleReader = true,
        });
        _digest = new AlertDigest(options.MaxGroups);
        _rate = new RateWindow(options.RatePerMinute);
        _sentCounter = metrics.Messages.WithLabels(channel.Name, "sent");
        _failedCounter = metrics.Messages.WithLabels(channel.Name, "failed");
        _queued = metrics.Notices.WithLabels(channel.Name);
        var retries = metrics.Retries.WithLabels(channel.Name);
        _retry = RetryPipelineFactory.Create(options.Attempts, options.RetryDelay, options.RetryMaxDelay, jitter: true, time,
            static ex => ex is not OperationCanceledException, () => retries.Inc(),
            static ex => ex is AlertChannelException { RetryAfter: { } wait } ? wait : null);
        var depth = metrics.QueueDepth.WithLabels(channel.Name);
        metrics.Pipeline.OnCollect(() => depth.Set(_queue.Reader.Count));
        _loop = Task.Run(RunAsync);
    }

    public string Name => _channel.Name;

    public IAlertChannel Channel => _channel;

    public AlertChannelSummary Summary =>
        new(Name, _channel.Destination, Interlocked.Read(ref _sent), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped));

    /// <summary>Queues <paramref name="notice"/>; false (and counted) when it is dropped. Never waits.</summary>
    public bool Notify(AlertNotice notice)
    {
        if (notice.Kind == AlertNoticeKind.Resolved && !_options.SendResolved)
        {
            Drop(DropReasons.ResolvedDisabled, 1);
            return false;
        }

        if (_queue.Writer.TryWrite(notice))
        {
            _queued.Inc();
            return true;
        }

        if (_flush.IsCancellationRequested)
        {
            Drop(DropReasons.Shutdown, 1);
            return false;
        }

        Drop(DropReasons.QueueFull, 1);
        if (!_fullLogged)
        {
            _fullLogged = true;
            AlertingLog.QueueFull(_logger, Name, _options.QueueCapacity);
        }

        return false;
    }

    /// <summary>Sends what is queued and pending now, without waiting for the window or the rate limit; within <paramref name="timeout"/>, then drops the rest.</summary>
    public async Task<AlertChannelSummary> StopAsync(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        await _flush.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(timeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            AlertingLog.StopTimedOut(_logger, Name, timeout.TotalSeconds);
            await _abort.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        var summary = Summary;
        AlertingLog.Stopped(_logger, Name, summary.Destination, summary.Sent, summary.Failed, summary.Dropped);
        return summary;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Drain();
            if (_digest.IsEmpty)
            {
                continue;
            }

            // The window starts with the first notice; the rate limit may hold the message longer, and
            // everything that comes meanwhile merges into it.
            var now = _time.GetUtcNow();
            var sendAt = now + _options.GroupWait;
            var allowed = _rate.NextAllowed(now);
            await MergeUntilAsync(allowed > sendAt ? allowed : sendAt).ConfigureAwait(false);
            Drain();
            await DeliverAsync(_digest.Take(Name)).ConfigureAwait(false);
        }

        if (!_digest.IsEmpty)
        {
            await DeliverAsync(_digest.Take(Name)).ConfigureAwait(false);
        }
    }

    private async Task MergeUntilAsync(DateTimeOffset until)
    {
        var wait = until - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero || _flush.IsCancellationRequested)
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_flush.Token);
        var delay = Task.Delay(wait, _time, waiting.Token);
        while (!delay.IsCompleted)
        {
            Drain();
            var readable = _queue.Reader.WaitToReadAsync(waiting.Token).AsTask();
            await Task.WhenAny(delay, readable).ConfigureAwait(false);
            if (readable.IsCompletedSuccessfully && !await readable.ConfigureAwait(false))
            {
                break; // completed and empty: stopping
            }
        }

        await waiting.CancelAsync().ConfigureAwait(false);
    }

    private void Drain()
    {
        while (_queue.Reader.TryRead(out var notice))
        {
            _digest.Add(notice);
        }
    }

    private async Task DeliverAsync(AlertMessage message)
    {
        _current = message;
        try
        {
            await _retry.ExecuteAsync(static (runner, ct) => new ValueTask(runner._channel.SendAsync(runner._current!, ct)), this, _abort.Token)
                .ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
            _sentCounter.Inc();
            AlertingLog.Sent(_logger, Name, message.Groups.Count + message.OtherGroups, message.TotalCount, _channel.Destination);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            _failedCounter.Inc();
            var aborted = ex is OperationCanceledException && _abort.IsCancellationRequested;
            Drop(aborted ? DropReasons.Shutdown : DropReasons.SendFailed, message.Notices);
            AlertingLog.SendFailed(_logger, Name, message.Notices, _options.Attempts, ex.Message);
        }
        finally
        {
            _current = null;
            _rate.Record(_time.GetUtcNow());
            _fullLogged = false;
        }
    }

    private void Drop(string reason, long notices)
    {
        Interlocked.Add(ref _dropped, notices);
        _metrics.Dropped.WithLabels(Name, reason).Inc(notices);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_loop.IsCompleted)
        {
            await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _flush.Dispose();
        _abort.Dispose();
    }
}
