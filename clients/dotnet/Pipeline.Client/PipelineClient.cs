using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Client.Internal;

namespace Pipeline.Client;

/// <summary>
/// Acknowledged delivery of events to Pipeline (docs/acks.md). Every event gets the next <c>seq</c> of the boot
/// and stays in a bounded buffer (memory, optionally spilling to disk) until the server acknowledges it as
/// durable; one background task keeps a connection, re-sends what is unacknowledged after every reconnect, and
/// frees the buffer as acks arrive. Thread-safe: any number of threads may log at once.
/// </summary>
public sealed partial class PipelineClient : IAsyncDisposable, IDisposable
{
    private static readonly byte[][] LevelNames = ["DEBUG"u8.ToArray(), "INFO"u8.ToArray(), "WARNING"u8.ToArray(), "ERROR"u8.ToArray(), "CRITICAL"u8.ToArray()];

    // The client's one lock: the buffer, the counters, the waiters. Held for a copy of one event's bytes, never across I/O
    // (except a spill file's write or read, at most MaxBatchBytes, and only while the memory buffer is full).
    private readonly object _gate = new();
    private readonly PipelineClientOptions _options;
    private readonly EventBuffer _buffer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<FlushWaiter> _flushWaiters = [];
    private readonly Task _run;
    private TaskCompletionSource? _dataWaiter;
    private TaskCompletionSource? _changeWaiter;
    private int _blocked;
    private bool _closed;
    private Task? _closing;
    private long _sent;
    private long _acknowledged;
    private long _acknowledgedSeq;
    private long _dropped;
    private long _resent;
    private long _reconnects;

    /// <summary>Validates a snapshot of <paramref name="options"/> and starts connecting in the background.</summary>
    /// <param name="options">How to connect and buffer.</param>
    /// <param name="logger">For the client's own connects and disconnects; none by default.</param>
    public PipelineClient(PipelineClientOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Snapshot();
        _logger = logger ?? NullLogger.Instance;
        var spill = _options.SpillDirectory is null ? null : new SpillQueue(_options.SpillDirectory, _options.BootId);
        _buffer = new EventBuffer(_options.MaxBufferedEvents, _options.MaxBufferedBytes, _options.MaxBatchBytes, spill, _options.MaxSpillBytes);
        _hello = Hello(_options);
        _helloLine = [.. _hello, (byte)'\n'];
        _bootIdUtf8 = System.Text.Encoding.UTF8.GetBytes(_options.BootId);
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>The robot id of the hello.</summary>
    public string RobotId => _options.RobotId;

    /// <summary>This boot's id: seqs count within it.</summary>
    public string BootId => _options.BootId;

    /// <summary>Events written to a connection, re-sends included.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Events the server acknowledged as durable (and the buffer let go).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>The highest seq the server acknowledged.</summary>
    public long AcknowledgedSeq => Interlocked.Read(ref _acknowledgedSeq);

    /// <summary>Events dropped by <see cref="OverflowPolicy.DropOldest"/> before the server acknowledged them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events sent again after a reconnect (the server drops those it already had).</summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>Connections made after the first (each one re-sends what is unacknowledged).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>The last seq given to an event (0 before the first).</summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _buffer.LastSeq;
            }
        }
    }

    /// <summary>Events given and neither acknowledged nor dropped, in memory and spilled.</summary>
    public long Unacknowledged
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Buffered;
            }
        }
    }

    /// <summary>Events in the spill directory (and its chunk being filled).</summary>
    public long Spilled
    {
        get
        {
            lock (_gate)
            {
                return _buffer.SpilledEvents;
            }
        }
    }

    /// <summary>Callers waiting in Log for room (tests of the Block policy).</summary>
    internal int BlockedCallers
    {
        get
        {
            lock (_gate)
            {
                return _blocked;
            }
        }
    }

    /// <summary>
    /// Completes at the next change of the counters, the connection or the blocked callers: tests take it, then check
    /// their condition, then await it, instead of polling on a clock. Costs nothing while nobody waits.
    /// </summary>
    internal Task NextChangeAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _changeWaiter, waiter, null) ?? waiter).Task;
    }

    private void Changed()
    {
        if (Volatile.Read(ref _changeWaiter) is not null)
        {
            Interlocked.Exchange(ref _changeWaiter, null)?.TrySetResult();
        }
    }

    /// <summary>Whether a connection is up and past its resume ack.</summary>
    public bool IsConnected => Volatile.Read(ref _transport) is not null;

    /// <summary>
    /// Logs an event (<c>msg</c>, optional <c>type</c>, attributes) and returns its seq. With
    /// <see cref="OverflowPolicy.Block"/> a full buffer makes this wait for acknowledgements.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The client is closing or closed.</exception>
    public long Log(PipelineLevel level, string message, string? type = null, IReadOnlyList<KeyValuePair<string, object?>>? attributes = null,
        CancellationToken cancellationToken = default) =>
        Log(level, new MessageFields(message, type, attributes), MessageFields.Writer, cancellationToken);

    /// <summary>Logs an event whose fields <paramref name="fields"/> writes, and returns its seq; waits as <see cref="Log(PipelineLevel, string, string?, IReadOnlyList{KeyValuePair{string, object?}}?, CancellationToken)"/>.</summary>
    public long Log<TState>(PipelineLevel level, in TState state, EventFieldsWriter<TState> fields, CancellationToken cancellationToken = default) =>
        Write(level, state, fields, wait: true, cancellationToken);

    /// <summary>Like Log, but never waits: false (and seq 0) when the buffer is full under <see cref="OverflowPolicy.Block"/>.</summary>
    public bool TryEnqueue(PipelineLevel level, string message, out long seq, string? type = null, IReadOnlyList<KeyValuePair<string, object?>>? attributes = null)
    {
        seq = Write(level, new MessageFields(message, type, attributes), MessageFields.Writer, wait: false, CancellationToken.None);
        return seq > 0;
    }

    /// <summary>Like Log, but never waits: false (and seq 0) when the buffer is full under <see cref="OverflowPolicy.Block"/>.</summary>
    public bool TryEnqueue<TState>(PipelineLevel level, in TState state, EventFieldsWriter<TState> fields, out long seq)
    {
        seq = Write(level, state, fields, wait: false, CancellationToken.None);
        return seq > 0;
    }

    private long Write<TState>(PipelineLevel level, in TState state, EventFieldsWriter<TState> fields, bool wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var scratch = EventScratch.Rent();
        try
        {
            var writer = scratch.Writer;
            writer.WriteStartObject();
            writer.WriteNumber("ts"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            writer.WriteString("level"u8, LevelNames[(int)level]);
            fields(writer, state);
            writer.WriteEndObject();
            writer.Flush();
            return Enqueue(scratch.Written, wait, cancellationToken);
        }
        finally
        {
            EventScratch.Return(scratch);
        }
    }

    private long Enqueue(ReadOnlySpan<byte> body, bool wait, CancellationToken cancellationToken)
    {
        TaskCompletionSource? wake;
        long seq;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_buffer.CanEverHold(body.Length))
            {
                throw new ArgumentException($"An event of {body.Length} bytes can never fit in MaxBufferedBytes ({_options.MaxBufferedBytes}).", nameof(body));
            }

            while ((seq = _buffer.TryAppend(body)) == 0)
            {
                if (_options.OverflowPolicy == OverflowPolicy.DropOldest && _buffer.DropOldest())
                {
                    _dropped++;
                    CompleteFlushWaiters();
                    continue;
                }

                if (!wait)
                {
                    return 0;
                }

                WaitForChange(Timeout.InfiniteTimeSpan, cancellationToken);
                ObjectDisposedException.ThrowIf(_closed, this);
            }

            wake = _dataWaiter;
            _dataWaiter = null;
        }

        wake?.TrySetResult();
        Changed();
        return seq;
    }

    /// <summary>Under the lock: waits until acks free something, the client closes, the token fires or the time passes.</summary>
    private bool WaitForChange(TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _blocked++;
        Changed();
        // Unregister, not Dispose: Dispose waits for a running callback, which waits for this lock.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state =>
            {
                var client = (PipelineClient)state!;
                lock (client._gate)
                {
                    Monitor.PulseAll(client._gate);
                }
            }, this)
            : default;
        try
        {
            var changed = Monitor.Wait(_gate, timeout);
            cancellationToken.ThrowIfCancellationRequested();
            return changed;
        }
        finally
        {
            registration.Unregister();
            _blocked--;
            Changed();
        }
    }

    /// <summary>Under the lock, after events were acknowledged or dropped: wakes the flushes that are done and the blocked callers.</summary>
    private void CompleteFlushWaiters()
    {
        var head = _buffer.HeadSeq;
        for (var i = _flushWaiters.Count - 1; i >= 0; i--)
        {
            if (head > _flushWaiters[i].Target)
            {
                _flushWaiters[i].Completion.TrySetResult();
                _flushWaiters.RemoveAt(i);
            }
        }

        if (_blocked > 0)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private static byte[] Hello(PipelineClientOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "hello"u8);
            writer.WriteString("robot_id"u8, options.RobotId);
            writer.WriteString("boot_id"u8, options.BootId);
            writer.WriteBoolean("acks"u8, true);
            if (options.Token is not null)
            {
                writer.WriteString("token"u8, options.Token);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
