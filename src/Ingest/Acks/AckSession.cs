using System.Buffers.Text;
using Pipeline.Blocks.Acks;
using Pipeline.Ingest.Robots;

namespace Pipeline.Ingest.Acks;

/// <summary>
/// One connection's part in an acknowledged boot: it owns the <see cref="AckStream"/> while it feeds it, takes the
/// stream's acks to the robot (as replies on its link, in order with heartbeats and commands), and is closed when a
/// newer connection of the same boot takes over (4409) or the stream must be re-sent (1011).
/// </summary>
internal sealed class AckSession : IAckOwner
{
    /// <summary>The WebSocket close code for a connection whose boot a newer connection took over.</summary>
    public const int Superseded = 4409;

    private readonly IRobotLink _link;
    private readonly Storage.Acks.AckMetrics _metrics;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private long _acked = -1;
    private long _latest = -1;
    private bool _sending;
    private bool _gone;
    private (long Seq, TaskCompletionSource Done)? _waiter;

    public AckSession(AckStream stream, IRobotLink link, Storage.Acks.AckMetrics metrics)
    {
        Stream = stream;
        _link = link;
        _metrics = metrics;
    }

    public AckStream Stream { get; }

    /// <summary>Completes when the connection's framer ended and its last batch was handed on.</summary>
    public Task Ended => _ended.Task;

    /// <summary>
    /// Queues the ack; one send at a time per connection, and a newer ack replaces one not sent yet, so a robot that
    /// does not read costs one pending send, not one per fsync.
    /// </summary>
    public void SendAck(AckStream stream, long seq)
    {
        lock (_gate)
        {
            if (seq <= _latest || _gone)
            {
                return;
            }

            _latest = seq;
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        _ = PumpAsync(stream);
    }

    private async Task PumpAsync(AckStream stream)
    {
        while (true)
        {
            long seq;
            lock (_gate)
            {
                seq = _latest;
            }

            await SendAckAsync(stream, seq).ConfigureAwait(false);
            lock (_gate)
            {
                if (_latest == seq || _gone)
                {
                    _sending = false;
                    return;
                }
            }
        }
    }

    /// <summary>Sends <c>{"type":"ack","boot_id":…,"seq":…}</c> now (the resume point after the hello, and each ack).</summary>
    public async ValueTask<bool> SendAckAsync(AckStream stream, long seq)
    {
        var prefix = stream.AckPrefix;
        var message = new byte[prefix.Length + 21];
        prefix.CopyTo(message, 0);
        Utf8Formatter.TryFormat(seq, message.AsSpan(prefix.Length), out var written);
        message[prefix.Length + written] = (byte)'}';
        var sent = await _link.SendReplyAsync(message.AsMemory(0, prefix.Length + written + 1)).ConfigureAwait(false);
        TaskCompletionSource? done = null;
        lock (_gate)
        {
            _acked = sent ? Math.Max(_acked, seq) : _acked;
            _gone |= !sent;
            if (_waiter is { } waiter && (_gone || _acked >= waiter.Seq))
            {
                done = waiter.Done;
                _waiter = null;
            }
        }

        done?.TrySetResult();
        return sent;
    }

    /// <summary>
    /// Waits until the robot was sent an ack covering <paramref name="seq"/> (or the connection is gone, or
    /// <paramref name="timeout"/>): a robot that half-closes after its last line still hears that it was kept.
    /// </summary>
    public async Task WaitAckedAsync(long seq, TimeSpan timeout, TimeProvider time)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_gone || _acked >= seq)
            {
                return;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = (seq, done);
        }

        try
        {
            await done.Task.WaitAsync(timeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Not durable in time (the graph is held, or the batch was lost): the robot re-sends after it reconnects.
        }
    }

    public void Resend(string reason)
    {
        _metrics.Sessions.WithLabels("resend").Inc();
        _link.Close((int)System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, reason);
    }

    /// <summary>A newer connection of the same boot took over: this one is closed.</summary>
    public void Supersede()
    {
        _metrics.Sessions.WithLabels("superseded").Inc();
        _link.Close(Superseded, "superseded");
    }

    /// <summary>The framer ended: the stream is free for the next connection.</summary>
    public void End()
    {
        Stream.Release(this);
        _ended.TrySetResult();
    }
}
