using Pipeline.Client.Internal;

namespace Pipeline.Client;

public sealed partial class PipelineClient
{
    /// <summary>
    /// Waits until every event given before this call is acknowledged (or dropped by <see cref="OverflowPolicy.DropOldest"/>).
    /// </summary>
    /// <exception cref="PipelineFlushTimeoutException">The deadline passed; it says how many events are still unacknowledged.</exception>
    public async Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        FlushWaiter waiter;
        lock (_gate)
        {
            if (_buffer.HeadSeq > _buffer.LastSeq)
            {
                return;
            }

            waiter = new FlushWaiter(_buffer.LastSeq);
            _flushWaiters.Add(waiter);
        }

        try
        {
            await waiter.Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                _flushWaiters.Remove(waiter);
                if (_buffer.HeadSeq > waiter.Target)
                {
                    return;
                }

                if (ex is TimeoutException)
                {
                    throw LateFlush(waiter.Target, timeout);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// <see cref="FlushAsync"/> for callers that cannot await (an <c>ILoggerProvider</c>'s <c>Dispose</c>): blocks the
    /// thread until the acks arrive on the client's own task, or the deadline.
    /// </summary>
    /// <exception cref="PipelineFlushTimeoutException">The deadline passed.</exception>
    public void Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            var target = _buffer.LastSeq;
            while (_buffer.HeadSeq <= target)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _closed && _buffer.HeadSeq <= target && _run.IsCompleted)
                {
                    throw LateFlush(target, timeout);
                }

                WaitForChange(left, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Stops taking events, waits up to <paramref name="timeout"/> for every buffered one to be acknowledged, then closes
    /// the connection and deletes the spill. Calling it again returns the same task.
    /// </summary>
    /// <exception cref="PipelineFlushTimeoutException">Events were still unacknowledged at the deadline; they are given up.</exception>
    public Task CloseAsync(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_closing is null)
            {
                _closed = true;
                Monitor.PulseAll(_gate);
                _closing = CloseCoreAsync(timeout);
            }

            return _closing;
        }
    }

    /// <summary><see cref="CloseAsync"/> with <see cref="PipelineClientOptions.CloseTimeout"/>; what was left unacknowledged is logged, not thrown.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (PipelineFlushTimeoutException)
        {
            // Logged by CloseCoreAsync; Dispose does not throw.
        }
    }

    /// <summary>
    /// For owners that cannot await (a DI container disposed synchronously): waits up to
    /// <see cref="PipelineClientOptions.CloseTimeout"/> for the acks as <see cref="Flush"/> does, then stops taking
    /// events and tells the background task to close, without waiting for it. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose()
    {
        try
        {
            Flush(_options.CloseTimeout);
        }
        catch (PipelineFlushTimeoutException ex)
        {
            PipelineClientLog.ClosedUnacknowledged(_logger, ex.Unacknowledged, ex.Message);
        }
        catch (ObjectDisposedException)
        {
        }

        CloseWithoutWaiting();
    }

    /// <summary>For a synchronous owner: stops taking events and tells the background task to end, without waiting for it.</summary>
    internal void CloseWithoutWaiting()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }

        _stop.Cancel();
    }

    private async Task CloseCoreAsync(TimeSpan timeout)
    {
        // Not under the caller's lock from here on.
        await Task.Yield();
        PipelineFlushTimeoutException? late = null;
        try
        {
            await FlushAsync(timeout).ConfigureAwait(false);
        }
        catch (PipelineFlushTimeoutException ex)
        {
            late = ex;
            PipelineClientLog.ClosedUnacknowledged(_logger, ex.Unacknowledged, ex.Message);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        if (late is not null)
        {
            throw late;
        }
    }

    /// <summary>Under the lock.</summary>
    private PipelineFlushTimeoutException LateFlush(long target, TimeSpan timeout) =>
        new(Math.Max(0, target - _buffer.HeadSeq + 1), target, _acknowledgedSeq, timeout);
}
