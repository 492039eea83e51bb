namespace Pipeline.Tests.Shared.Counting;

/// <summary>A running total that tests can await (no polling): rows acknowledged, events spooled… Completes waiters as the total passes their mark.</summary>
internal sealed class RunningTotal
{
    private readonly object _gate = new();
    private readonly List<(long Rows, TaskCompletionSource Done)> _waiters = [];
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

    public void Add(long rows)
    {
        lock (_gate)
        {
            _total += rows;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_total >= _waiters[i].Rows)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once the total is at least <paramref name="rows"/>; fails after a generous minute.</summary>
    public Task WaitForAsync(long rows)
    {
        lock (_gate)
        {
            if (_total >= rows)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((rows, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
