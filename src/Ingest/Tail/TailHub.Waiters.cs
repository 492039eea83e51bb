using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Tail;

/// <summary>What the tail has handled, and signals on it for tests (no polling: they await these).</summary>
internal sealed partial class TailHub
{
    private readonly Lock _waitersGate = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _subscriberWaiters = [];
    private long _handled;
    private volatile int _waiting;

    /// <summary>Completes once <paramref name="count"/> events in all reached the tail and were queued for viewers or counted (for tests).</summary>
    internal Task WaitForEventsAsync(long count)
    {
        lock (_waitersGate)
        {
            if (Interlocked.Read(ref _handled) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            _waiting = _waiters.Count;
            return done.Task;
        }
    }

    private void Handled(EventBatch batch)
    {
        var handled = Interlocked.Add(ref _handled, batch.Count);
        batch.Release();
        if (_waiting == 0)
        {
            return;
        }

        lock (_waitersGate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (handled >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }

            _waiting = _waiters.Count;
        }
    }

    /// <summary>Completes once <paramref name="count"/> viewers are subscribed (for tests that start one in another process).</summary>
    internal Task WaitForSubscribersAsync(int count)
    {
        lock (_gate)
        {
            if (_subscribers.Length >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _subscriberWaiters.Add((count, done));
            return done.Task;
        }
    }
}
