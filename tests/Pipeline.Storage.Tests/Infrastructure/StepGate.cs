namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>
/// Holds a background thread at a known point (<see cref="Enter"/>) until the test lets it go,
/// so the test can look at files and counters in a state that cannot change under it.
/// </summary>
internal sealed class StepGate : IDisposable
{
    /// <summary>Only a guard against hanging for ever when the code under test is broken.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _entered = new(0);
    private readonly SemaphoreSlim _proceed = new(0);
    private volatile bool _open;

    /// <summary>Called by the code under test: signals the test and waits for <see cref="Proceed"/> or <see cref="Open"/>.</summary>
    public void Enter()
    {
        if (_open)
        {
            return;
        }

        _entered.Release();
        if (!_proceed.Wait(Timeout))
        {
            throw new TimeoutException("The test never let the gated thread proceed.");
        }
    }

    public async Task WaitEnteredAsync()
    {
        if (!await _entered.WaitAsync(Timeout).ConfigureAwait(false))
        {
            throw new TimeoutException("The gated thread never reached the gate.");
        }
    }

    /// <summary>Blocks the calling (test) thread; for tests that must stay on one thread.</summary>
    public void WaitEntered()
    {
        if (!_entered.Wait(Timeout))
        {
            throw new TimeoutException("The gated thread never reached the gate.");
        }
    }

    /// <summary>Lets one waiting thread through.</summary>
    public void Proceed() => _proceed.Release();

    /// <summary>Lets every thread through from now on.</summary>
    public void Open()
    {
        _open = true;
        _proceed.Release(int.MaxValue / 2);
    }

    public void Dispose()
    {
        Open();
        _entered.Dispose();
    }
}
