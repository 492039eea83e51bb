namespace Pipeline.Storage.Alerting;

/// <summary>
/// One notification channel's own encoding and I/O, nothing else: the runner in front of it owns the
/// queue, grouping, rate limit, retries and drop accounting (as <c>IBatchSink</c> and <c>SinkRunner</c>).
/// </summary>
public interface IAlertChannel : IAsyncDisposable
{
    /// <summary>The configured name (<c>Pipeline:Alerts:Channels:&lt;name&gt;</c>).</summary>
    string Name { get; }

    /// <summary>Where it delivers, for logs, without secrets (<c>telegram chat -100123</c>, <c>smtp mail:587</c>).</summary>
    string Destination { get; }

    /// <summary>
    /// Delivers <paramref name="message"/>; returns when the destination accepted it. Throws an
    /// <see cref="AlertChannelException"/> with the destination's own words (HTTP status and body, SMTP
    /// reply, broker reason) when it did not, and when it said how long to wait, that wait.
    /// </summary>
    Task SendAsync(AlertMessage message, CancellationToken cancellationToken);
}
