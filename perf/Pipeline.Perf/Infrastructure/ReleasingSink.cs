using System.Threading.Tasks.Dataflow;
using System.Threading.Tasks.Sources;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Perf.Infrastructure;

/// <summary>
/// The end of a benchmark graph: takes each batch synchronously, counts its lines, releases it to
/// its pool, and completes a reusable awaitable once the expected lines have arrived. No Dataflow
/// queue of its own and no allocation per batch, so a framing benchmark measures the framer.
/// </summary>
internal sealed class ReleasingSink : IEventSink, ITargetBlock<EventBatch>, IValueTaskSource
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ManualResetValueTaskSourceCore<bool> _arrived;
    private long _lines;
    private long _expected = long.MaxValue;

    public ReleasingSink()
    {
        // Inline continuations would run the benchmark on the fan-out's thread; the continuation is
        // only the end of the benchmark method (BenchmarkDotNet waits for it), so inline is safe and free.
        _arrived.RunContinuationsAsynchronously = false;
    }

    public string Name => "releasing";
    public ITargetBlock<EventBatch> Input => this;
    public Task Completion => _completion.Task;
    public SinkHealth Health => SinkHealth.Healthy;

    public long Lines => Interlocked.Read(ref _lines);

    public long Batches { get; private set; }

    /// <summary>Arms the awaitable for <paramref name="lines"/> more lines; call before sending them.</summary>
    public ValueTask Expect(long lines)
    {
        _arrived.Reset();
        Volatile.Write(ref _expected, Lines + lines);
        return new ValueTask(this, _arrived.Version);
    }

    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, EventBatch messageValue, ISourceBlock<EventBatch>? source, bool consumeToAccept)
    {
        if (consumeToAccept)
        {
            messageValue = source!.ConsumeMessage(messageHeader, this, out var consumed)!;
            if (!consumed)
            {
                return DataflowMessageStatus.NotAvailable;
            }
        }

        var lines = Interlocked.Add(ref _lines, messageValue.LineCount);
        Batches++;
        messageValue.Release();
        if (lines >= Volatile.Read(ref _expected))
        {
            Volatile.Write(ref _expected, long.MaxValue);
            _arrived.SetResult(true);
        }

        return DataflowMessageStatus.Accepted;
    }

    public void Complete() => _completion.TrySetResult();

    public void Fault(Exception exception) => _completion.TrySetException(exception);

    void IValueTaskSource.GetResult(short token) => _arrived.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _arrived.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _arrived.OnCompleted(continuation, state, token, flags);
}
