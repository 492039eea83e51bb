namespace Pipeline.Storage.Alerting;

/// <summary>A channel's destination did not accept a message; the message is the destination's own words.</summary>
public sealed class AlertChannelException : Exception
{
    public AlertChannelException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the destination asked to wait before the next attempt (HTTP <c>Retry-After</c>, Telegram's <c>retry_after</c>).</summary>
    public TimeSpan? RetryAfter { get; }
}
