using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Framing;

/// <summary>
/// One connection's read loop: frames NDJSON lines from a <see cref="PipeReader"/> into pooled
/// batches and hands full batches to the graph with <c>await SendAsync</c>. While the graph is full
/// the pipe is not read, the socket's buffers fill and TCP flow control slows the robot down.
/// </summary>
/// <remarks>
/// Lines are not copied one by one: each read copies its run of complete lines into the batch in one
/// go, then the lines are indexed in place with a vectorised <c>IndexOf('\n')</c>. A partial batch
/// is sent <see cref="IngestOptions.FlushInterval"/> after its first line (an acknowledged connection's sooner, at
/// <c>Pipeline:Acks:FlushInterval</c>: its robot waits for the ack); a timer wakes the loop with
/// <see cref="PipeReader.CancelPendingRead"/>, as it does for the idle timeout and shutdown.
/// </remarks>
internal sealed class LineFramer : IDisposable
{
    /// <summary>How long an acknowledged connection that half-closed waits for the ack of its last lines.</summary>
    private static readonly TimeSpan FinalAckTimeout = TimeSpan.FromSeconds(10);

    private readonly PipeReader _input;
    private readonly SourceConnection _source;
    private readonly IngestContext _context;
    private readonly IngestOptions _options;
    private readonly Prometheus.Counter.Child _events;
    private readonly Prometheus.Counter.Child _bytes;
    private readonly ITimer _flushTimer;
    private readonly ITimer _idleTimer;
    private readonly CancellationTokenRegistration _stopping;
    private readonly Robots.IRobotLink? _link;
    private readonly ReadOnlyMemory<byte> _hello;
    private Acks.AckSession? _ack;
    private bool _helloChecked;
    private bool _refused;
    private EventBatch? _batch;
    private bool _named;
    private bool _discarding;
    private volatile bool _idle;
    private volatile bool _stop;

    /// <param name="link">The connection's way back to the robot (acks, errors); null for sources that have none.</param>
    /// <param name="hello">The connection's hello when it was read before the framer started (robot tokens configured).</param>
    public LineFramer(PipeReader input, SourceConnection source, IngestContext context, Robots.IRobotLink? link = null, ReadOnlyMemory<byte> hello = default)
    {
        _link = link;
        _hello = hello;
        _helloChecked = context.Acks is null;
        _input = input;
        _source = source;
        _context = context;
        _options = context.Options;
        _events = context.Metrics.IngestEvents.WithLabels(source.Protocol);
        _bytes = context.Metrics.IngestBytes.WithLabels(source.Protocol);
        _flushTimer = context.Time.CreateTimer(static s => ((LineFramer)s!)._input.CancelPendingRead(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idleTimer = context.Time.CreateTimer(static s => ((LineFramer)s!).OnIdle(), this,
            context.Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        _stopping = context.Stopping.Register(static s => ((LineFramer)s!).OnStopping(), this);
    }

    /// <summary>Reads until the peer closes, goes idle or the service stops; everything framed is sent on.</summary>
    public async Task<CloseReason> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_helloChecked && !_hello.IsEmpty)
            {
                _helloChecked = true;
                if (await HelloAsync(_hello).ConfigureAwait(false))
                {
                    return CloseReason.Refused;
                }
            }

            while (true)
            {
                var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                // On idle timeout and shutdown this is the last read: a partial line is counted, not left behind.
                var ending = result.IsCompleted || (result.IsCanceled && (_stop || _idle));
                if (!buffer.IsEmpty)
                {
                    _idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
                    consumed = await FrameAsync(buffer, ending, cancellationToken).ConfigureAwait(false);
                }

                _input.AdvanceTo(consumed, buffer.End);
                if (_refused)
                {
                    return CloseReason.Refused;
                }

                if (ending)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (result.IsCompleted && _ack is { } ack)
                    {
                        // The robot half-closed after its last line: it hears the ack of everything it sent before the close.
                        await ack.WaitAckedAsync(ack.Stream.Accepted, FinalAckTimeout, _context.Time).ConfigureAwait(false);
                    }

                    return result.IsCompleted ? CloseReason.EndOfStream : _stop ? CloseReason.Shutdown : CloseReason.IdleTimeout;
                }

                if (result.IsCanceled)
                {
                    // The flush timer: a quiet connection's partial batch goes now.
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _batch?.Release();
            _batch = null;
            _ack?.End(); // after the last batch was handed on: a newer connection of the boot may go on
        }
    }

    /// <summary>The hello (if the first line is one that asks for acks): true when it was refused and the connection ends.</summary>
    private async ValueTask<bool> HelloAsync(ReadOnlyMemory<byte> line)
    {
        var (session, refused) = await _context.Acks!.HelloAsync(line, _source, _link).ConfigureAwait(false);
        _ack = session;
        _refused = refused;
        return refused;
    }

    /// <summary>
    /// Frames <paramref name="buffer"/>: complete lines go into batches; an incomplete tail is left
    /// in the pipe unless the stream ended. Returns how far the input was consumed.
    /// </summary>
    private async ValueTask<SequencePosition> FrameAsync(ReadOnlySequence<byte> buffer, bool completed, CancellationToken cancellationToken)
    {
        if (!_helloChecked)
        {
            // The first line may be a hello that asks for acks: it is answered before any event is taken.
            var end = buffer.PositionOf((byte)'\n');
            if (end is null && !completed && buffer.Length <= Auth.HelloMessage.MaxBytes)
            {
                return buffer.Start; // wait for the whole first line
            }

            _helloChecked = true;
            if (end is not null && buffer.Slice(0, end.Value) is { Length: <= Auth.HelloMessage.MaxBytes } first && await HelloAsync(first.ToArray()).ConfigureAwait(false))
            {
                return buffer.End;
            }
        }

        var remaining = buffer;
        while (!remaining.IsEmpty)
        {
            if (_discarding)
            {
                var end = remaining.PositionOf((byte)'\n');
                if (end is null)
                {
                    remaining = remaining.Slice(remaining.End);
                    break;
                }

                _discarding = false;
                remaining = remaining.Slice(remaining.GetPosition(1, end.Value));
                continue;
            }

            _batch ??= StartBatch();
            var room = _options.BatchMaxBytes - _batch.DataLength;
            var window = remaining.Length > room ? remaining.Slice(0, Math.Max(room, 0)) : remaining;
            var take = LinesEnd(window, _options.BatchMaxEvents - _batch.LineCount);
            if (take == 0 && _batch.LineCount == 0)
            {
                // A line longer than a whole batch (but within MaxLineBytes) gets a batch of its own.
                var single = remaining.Length > _options.MaxLineBytes + 2 ? remaining.Slice(0, _options.MaxLineBytes + 2) : remaining;
                take = LinesEnd(single, 1);
            }

            if (take > 0)
            {
                CopyLines(remaining.Slice(0, take));
                remaining = remaining.Slice(take);
                if (_batch.DataLength >= _options.BatchMaxBytes || _batch.LineCount >= _options.BatchMaxEvents)
                {
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (window.Length < remaining.Length && _batch.LineCount > 0)
            {
                // The next line does not fit in this batch: send it and start another.
                await SendAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            // +1: a trailing '\r' waiting for its '\n' is not part of the line.
            if (remaining.Length > _options.MaxLineBytes + 1)
            {
                // Too long: keep its first bytes for the dead letter, skip the rest up to its '\n'.
                Reject(DiscardReasons.LineTooLong, remaining);
                _discarding = true;
                continue;
            }

            if (completed)
            {
                // Half a line and then the peer closed: a line is only complete with its '\n'.
                Reject(DiscardReasons.TruncatedLine, remaining);
                remaining = remaining.Slice(remaining.End);
                break;
            }

            break; // an incomplete line: it stays in the pipe until more arrives
        }

        var read = buffer.Length - remaining.Length;
        _bytes.Inc(read);
        _source.CountRead(read, 0);
        return remaining.Start;
    }

    private EventBatch StartBatch()
    {
        var batch = _context.Pool.Rent();
        batch.Source = _source;
        batch.ReceivedAt = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        _flushTimer.Change(_ack is null ? _options.FlushInterval : _context.Acks!.FlushInterval, Timeout.InfiniteTimeSpan);
        return batch;
    }

    /// <summary>Copies complete lines in one go, then indexes them inside the batch.</summary>
    private void CopyLines(ReadOnlySequence<byte> lines)
    {
        var batch = _batch!;
        var length = (int)lines.Length;
        var start = batch.DataLength;
        lines.CopyTo(batch.GetAppendSpan(length));
        batch.Advance(length);
        batch.InputBytes += length;

        var data = batch.Data;
        var offset = start;
        var end = start + length;
        var ack = _ack;
        var token = batch.Ack;
        var now = ack is null ? 0 : _context.Time.GetTimestamp();
        while (offset < end)
        {
            var newline = data[offset..end].IndexOf((byte)'\n');
            var lineLength = newline;
            if (lineLength > 0 && data[offset + lineLength - 1] == '\r')
            {
                lineLength--;
            }

            if (lineLength > _options.MaxLineBytes)
            {
                Reject(DiscardReasons.LineTooLong, data.Slice(offset, lineLength));
            }
            else if (ack is null || _context.Acks!.Accept(ack, data.Slice(offset, lineLength), ref token, now, _context, _source))
            {
                batch.AddLine(offset, lineLength);
            }

            offset += newline + 1;
        }

        batch.Ack = token;
    }

    /// <summary>
    /// A connection that did not say who it is belongs to the robot_id of its first lines (DESIGN, "Robots"): looked
    /// for once, in the first batch, before it is handed on — so even a connection that sends one line and closes
    /// has its robot's presence. The parse block names the robot later if these lines carry none.
    /// </summary>
    private void NameRobot(EventBatch batch)
    {
        if (_source.RobotId is not null || _context.Sessions is not { } sessions)
        {
            return;
        }

        for (var i = 0; i < Math.Min(batch.LineCount, 4); i++)
        {
            if (RobotIdPeek.Find(batch.GetLine(i)) is { IsEmpty: false } robotId)
            {
                sessions.OnRobotNamed(_source, robotId);
                return;
            }
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var batch = _batch!;
        _batch = null;
        _flushTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var lines = batch.LineCount;
        if (lines == 0)
        {
            batch.Release();
            return;
        }

        if (!_named)
        {
            _named = true;
            NameRobot(batch);
        }

        batch.Ack?.Stream.Touch(batch.ReceivedAt);
        _context.Component.Out.Inc(lines);
        bool accepted;
        try
        {
            accepted = await _context.Target.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _context.Component.Discarded("shutdown", lines);
            batch.Release();
            throw;
        }

        if (accepted)
        {
            _events.Inc(lines);
            _source.CountRead(0, lines);
        }
        else
        {
            // The graph has completed (shutdown raced with this connection): count, never drop silently.
            _context.Component.Discarded("shutdown", lines);
            batch.Release();
        }
    }

    private ValueTask FlushAsync(CancellationToken cancellationToken) =>
        _batch is null ? ValueTask.CompletedTask : SendAsync(cancellationToken);

    private void Reject(string reason, ReadOnlySequence<byte> input)
    {
        var head = input.Length > 1024 ? input.Slice(0, 1024) : input;
        Reject(reason, head.IsSingleSegment ? head.FirstSpan : head.ToArray());
    }

    private void Reject(string reason, ReadOnlySpan<byte> input)
    {
        _context.Component.Discarded(reason);
        _context.DeadLetters.Write("ingest", reason, _source, input);
    }

    /// <summary>
    /// Bytes up to and including the last '\n' of at most <paramref name="maxLines"/> complete lines at
    /// the start of <paramref name="window"/>, or 0. One vectorised search per line, as indexing does.
    /// </summary>
    private static int LinesEnd(ReadOnlySequence<byte> window, int maxLines)
    {
        if (maxLines <= 0)
        {
            return 0;
        }

        if (window.IsSingleSegment)
        {
            return LinesEnd(window.FirstSpan, maxLines, out _);
        }

        var position = 0;
        var end = 0;
        foreach (var segment in window)
        {
            var inSegment = LinesEnd(segment.Span, maxLines, out var lines);
            if (lines > 0)
            {
                end = position + inSegment;
                maxLines -= lines;
                if (maxLines == 0)
                {
                    break;
                }
            }

            position += segment.Length;
        }

        return end;
    }

    private static int LinesEnd(ReadOnlySpan<byte> span, int maxLines, out int lines)
    {
        lines = 0;
        var end = 0;
        if (maxLines >= span.Length)
        {
            // Cannot hold more lines than bytes: only the last '\n' matters.
            end = span.LastIndexOf((byte)'\n') + 1;
            lines = end > 0 ? span[..end].Count((byte)'\n') : 0;
            return end;
        }

        while (lines < maxLines)
        {
            var at = span[end..].IndexOf((byte)'\n');
            if (at < 0)
            {
                break;
            }

            end += at + 1;
            lines++;
        }

        return end;
    }

    private void OnIdle()
    {
        _idle = true;
        _input.CancelPendingRead();
    }

    private void OnStopping()
    {
        _stop = true;
        _input.CancelPendingRead();
    }

    public void Dispose()
    {
        _flushTimer.Dispose();
        _idleTimer.Dispose();
        _stopping.Dispose();
    }
}
