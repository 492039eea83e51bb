namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>A running total fed by a runner hook; <see cref="WaitForAsync"/> completes when it reaches a value (no polling).</summary>
internal sealed class EventCounter
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private long _total;

    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public void Add(long count)
    {
        lock (_gate)
        {
            _total += count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_total >= _waiters[i].Target)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public async Task WaitForAsync(long target, TimeSpan? timeout = null, string what = "events")
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_total >= target)
            {
                return;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Total} of {target} {what} in time.");
        }
    }
}
