using System.Runtime.CompilerServices;

namespace Pipeline.Ingest.Tail;

/// <summary>
/// One viewer of the tail: its filter and two rings, one the tail fills while the viewer's connection sends the other
/// (swapped under a lock, so neither side copies or waits on the other's I/O). A full ring drops and counts: the tail
/// never waits for a viewer. Between two sends the connection paces itself (<see cref="PaceAsync"/>): a viewer's events
/// gather for <see cref="TailOptions.SendInterval"/>, or until its ring is half full, and go out in one write.
/// </summary>
internal sealed class TailSubscriber
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly SemaphoreSlim _hurry = new(0, 1);
    private readonly int _half;
    private TailRing _filling;
    private TailRing _sending;
    private int _signalled;
    private int _hurried;
    private volatile bool _ended;

    public TailSubscriber(TailFilter filter, int bufferEvents)
    {
        Filter = filter;
        _filling = new TailRing(bufferEvents);
        _sending = new TailRing(bufferEvents);
        _half = Math.Max(1, bufferEvents / 2);
    }

    public TailFilter Filter { get; }

    /// <summary>The tail stopped (the graph completed or the service stops): the viewer's connection ends after what is left.</summary>
    public bool Ended => _ended;

    /// <summary>Adds one event's line (tail thread); false when the buffer was full and it was counted as dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see TailHub.Process
    public bool Add(ReadOnlySpan<byte> line)
    {
        bool added;
        lock (_gate)
        {
            added = _filling.TryAdd(line);
            if (_filling.Count == _half)
            {
                Hurry(); // a pacing connection sends now rather than let the ring fill up
            }
        }

        Wake();
        return added;
    }

    /// <summary>Counts events this viewer missed without their lines being made (the tail was behind).</summary>
    public void AddDropped(long count)
    {
        lock (_gate)
        {
            _filling.AddDropped(count);
        }

        Wake();
    }

    public void End()
    {
        _ended = true;
        Wake();
        Hurry();
    }

    /// <summary>Waits until there is something to send, the tail ends, <paramref name="timeout"/> passes (false) or the viewer goes.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var woke = await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (woke)
        {
            // Only after taking the release: reset on a timeout, a Wake between its flag and its Release could release twice.
            Volatile.Write(ref _signalled, 0);
        }

        return woke;
    }

    /// <summary>
    /// After a send: waits <paramref name="interval"/> for more events to gather, unless the ring gets half full or the tail
    /// ends first. The connection then sends what gathered in one write instead of waking and writing per event.
    /// </summary>
    public async Task PaceAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero || _ended)
        {
            return;
        }

        if (await _hurry.WaitAsync(interval, cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _hurried, 0);
        }
    }

    /// <summary>What arrived since the last call, for the viewer's connection to send; valid until the next call.</summary>
    public TailRing Take()
    {
        lock (_gate)
        {
            _sending.Clear();
            (_filling, _sending) = (_sending, _filling);
            return _sending;
        }
    }

    private void Hurry()
    {
        if (Interlocked.Exchange(ref _hurried, 1) == 0)
        {
            _hurry.Release();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }
}
