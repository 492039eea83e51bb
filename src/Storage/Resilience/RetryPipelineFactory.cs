using Polly;
using Polly.Retry;

namespace Pipeline.Storage.Resilience;

/// <summary>
/// The one retry policy of every destination (sinks and alert channels): exponential backoff from
/// <c>delay</c> up to <c>maxDelay</c>, optionally with jitter, on the given clock, so a fake clock
/// drives it in tests. A destination that says how long to wait (HTTP <c>Retry-After</c>, Telegram's
/// <c>retry_after</c>) is waited exactly that long instead of the backoff.
/// </summary>
internal static class RetryPipelineFactory
{
    /// <param name="attempts">Attempts in all (1: no retry).</param>
    /// <param name="shouldRetry">Whether a failure is worth another attempt.</param>
    /// <param name="onRetry">Called once per failed attempt that is tried again (counting).</param>
    /// <param name="retryAfter">The wait a failure asks for; null: the backoff's.</param>
    public static ResiliencePipeline Create(int attempts, TimeSpan delay, TimeSpan maxDelay, bool jitter, TimeProvider time,
        Func<Exception, bool> shouldRetry, Action onRetry, Func<Exception, TimeSpan?>? retryAfter = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (attempts > 1)
        {
            var options = new RetryStrategyOptions
            {
                MaxRetryAttempts = attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = jitter,
                Delay = delay,
                MaxDelay = maxDelay,
                ShouldHandle = new PredicateBuilder().Handle(shouldRetry),
                OnRetry = _ =>
                {
                    onRetry();
                    return default;
                },
            };
            if (retryAfter is not null)
            {
                options.DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Exception is { } ex ? retryAfter(ex) : null);
            }

            builder.AddRetry(options);
        }

        return builder.Build();
    }
}
