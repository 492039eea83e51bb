using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>What one <see cref="ScriptedSink.WriteAsync"/> does.</summary>
internal abstract class SinkStep
{
    public static SinkStep Succeed { get; } = new Run((_, _) => Task.CompletedTask);

    /// <summary>A failure worth retrying (the destination did not answer).</summary>
    public static SinkStep Fail(string message = "destination down") => new Run((_, _) => throw new IOException(message));

    /// <summary>Throws <paramref name="error"/> (say, the TaskCanceledException of an HttpClient timeout).</summary>
    public static SinkStep Throw(Exception error) => new Run((_, _) => Task.FromException(error));

    public static SinkStep Reject(string reason, string message = "the destination refused the rows") =>
        new Run((_, _) => throw new SinkRejectedException(reason, message));

    public static SinkStep Setup(string message = "the table does not fit") => new Run((_, _) => throw new SinkSetupException(message));

    /// <summary>The first <paramref name="acknowledged"/> events are taken; the batch is replaced by the rest, then <paramref name="then"/> runs.</summary>
    public static SinkStep Partial(int acknowledged, SinkStep? then = null) => new Run((batch, ct) =>
    {
        var tail = SeqEncoder.Decode(batch.Payload.Span)[acknowledged..];
        var (buffer, length) = SeqEncoder.Encode(tail);
        batch.Replace(buffer, length, tail.Length);
        return (then ?? Fail("the connection dropped mid-batch")).RunAsync(batch, ct);
    });

    /// <summary>Waits until <see cref="Blocked.Release"/>, then runs <paramref name="then"/> (default: succeeds).</summary>
    public static Blocked Block(SinkStep? then = null) => new(then ?? Succeed);

    public abstract Task RunAsync(SinkBatch batch, CancellationToken cancellationToken);

    private sealed class Run(Func<SinkBatch, CancellationToken, Task> run) : SinkStep
    {
        public override Task RunAsync(SinkBatch batch, CancellationToken cancellationToken) => run(batch, cancellationToken);
    }

    public sealed class Blocked(SinkStep then) : SinkStep
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a write is waiting in this step.</summary>
        public Task Entered => _entered.Task.WaitAsync(StepGate.Timeout);

        public void Release() => _release.TrySetResult();

        public override async Task RunAsync(SinkBatch batch, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await then.RunAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }
}
