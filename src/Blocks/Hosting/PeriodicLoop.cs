namespace Pipeline.Blocks.Hosting;

/// <summary>
/// Work on a timer of a <see cref="TimeProvider"/> until stopped: a tick that throws is reported and the next one
/// runs (one bad tick must not end the work for good). The components that close windows or watch clocks share it.
/// </summary>
public sealed class PeriodicLoop : IDisposable
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task> _tick;
    private readonly Action<Exception> _failed;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="tick">The work of one tick; its token is cancelled by <see cref="StopAsync"/>.</param>
    /// <param name="failed">Told about a tick that threw (anything but the stop's cancellation).</param>
    public PeriodicLoop(TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> tick, Action<Exception> failed)
    {
        _interval = interval;
        _time = time;
        _tick = tick;
        _failed = failed;
    }

    public void Start() => _loop = RunAsync(_stopping.Token);

    /// <summary>Stops the timer and waits for a tick in progress to end.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _tick(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _failed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
