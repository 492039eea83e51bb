namespace Pipeline.Tests.Shared.Counting;

/// <summary>A running total that tests can await (no polling): rows acknowledged, events spooled… Completes waiters as the total passes their mark.</summary>
internal sealed class RunningTotal
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

    public void Add(long amount)
    {
        lock (_gate)
        {
            _total += amount;
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

    /// <summary>Completes once the total is at least <paramref name="target"/>; fails after <paramref name="timeout"/> (a generous minute) saying how far it got.</summary>
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
            await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Total} of {target} {what} in time.");
        }
    }
}
