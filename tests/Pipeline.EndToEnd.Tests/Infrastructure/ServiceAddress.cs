namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where a restarted service listens now: a robot that finds the old port refused waits for the next one instead of
/// polling (the test sets it once the new process serves).
/// </summary>
internal sealed class ServiceAddress
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _port;
    private int _version;

    public ServiceAddress(int port)
    {
        _port = port;
    }

    /// <summary>The port, and a version that changes with every <see cref="MoveTo"/>.</summary>
    public (int Port, int Version) Current
    {
        get
        {
            lock (_gate)
            {
                return (_port, _version);
            }
        }
    }

    public void MoveTo(int port)
    {
        TaskCompletionSource moved;
        lock (_gate)
        {
            _port = port;
            _version++;
            moved = _moved;
            _moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        moved.TrySetResult();
    }

    /// <summary>Completes once the address is newer than <paramref name="version"/>.</summary>
    public Task MovedSinceAsync(int version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _version != version ? Task.CompletedTask : _moved.Task.WaitAsync(cancellationToken);
        }
    }
}
