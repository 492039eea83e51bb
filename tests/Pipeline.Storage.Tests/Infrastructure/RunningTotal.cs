namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>Adds up what a test hook reports (events acknowledged, spooled) and lets a test await a total.</summary>
internal sealed class RunningTotal
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Reached)> _waiters = [];
    private long _total;

    public long Value
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public void Add(int amount)
    {
        lock (_gate)
        {
            _total += amount;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_total >= _waiters[i].Target)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once the total reached <paramref name="target"/>.</summary>
    public Task WaitForAsync(long target)
    {
        lock (_gate)
        {
            if (_total >= target)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, reached));
            return reached.Task.WaitAsync(StepGate.Timeout);
        }
    }
}
