using Pipeline.Client.Internal;

namespace Pipeline.Client;

public sealed partial class PipelineClient
{
    private static readonly ReadOnlyMemory<byte> Heartbeat = "{\"type\":\"heartbeat\"}\n"u8.ToArray();

    private readonly byte[] _hello;
    private readonly byte[] _helloLine;
    private readonly byte[] _bootIdUtf8;
    private IEventTransport? _transport;

    /// <summary>Drops the current connection at once, as a network failure would (tests of the re-send).</summary>
    internal void AbortConnection() => Volatile.Read(ref _transport)?.Abort();

    /// <summary>The background task: connect, re-send, send, read acks; on any failure back off and again, until closed.</summary>
    private async Task RunAsync(CancellationToken stop)
    {
        var attempt = 0;
        var connectedBefore = false;
        var quiet = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                string reason;
                Exception? error = null;
                var transport = _options.Uri.Scheme == "tcp"
                    ? (IEventTransport)new TcpTransport(_options.Uri)
                    : new WebSocketTransport(_options.Uri, _options.Token);
                try
                {
                    var resume = await ConnectAsync(transport, stop).ConfigureAwait(false);
                    long buffered;
                    lock (_gate)
                    {
                        ApplyAck(resume);
                        _buffer.Rewind();
                        buffered = _buffer.Buffered;
                        if (connectedBefore)
                        {
                            _reconnects++;
                        }
                    }

                    Volatile.Write(ref _transport, transport);
                    Changed();
                    connectedBefore = true;
                    attempt = 0;
                    quiet = false;
                    PipelineClientLog.Connected(_logger, _options.Uri, _options.RobotId, _options.BootId, resume, buffered);
                    reason = await ServeAsync(transport, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    reason = "closing";
                }
                catch (Exception ex)
                {
                    reason = ex.Message;
                    error = ex;
                }
                finally
                {
                    Volatile.Write(ref _transport, null);
                    Changed();
                    transport.Abort();
                    await transport.DisposeAsync().ConfigureAwait(false);
                }

                if (stop.IsCancellationRequested)
                {
                    break;
                }

                var delay = Backoff.Delay(attempt++, _options.ReconnectMinDelay, _options.ReconnectMaxDelay);
                if (quiet)
                {
                    PipelineClientLog.DisconnectedAgain(_logger, _options.Uri, reason, delay);
                }
                else
                {
                    PipelineClientLog.Disconnected(_logger, _options.Uri, reason, delay, Unacknowledged, error);
                    quiet = true;
                }

                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_gate)
            {
                _closed = true;
                _buffer.Dispose();
                foreach (var waiter in _flushWaiters)
                {
                    waiter.Completion.TrySetException(new ObjectDisposedException(nameof(PipelineClient)));
                }

                _flushWaiters.Clear();
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Connects, says hello and returns the server's resume ack: the highest seq it holds for this boot.</summary>
    private async Task<long> ConnectAsync(IEventTransport transport, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await transport.ConnectAsync(timeout.Token).ConfigureAwait(false);
            // TCP: the hello is the first line; WebSocket: the first message.
            await transport.SendAsync(transport is TcpTransport ? _helloLine : _hello, timeout.Token).ConfigureAwait(false);

            while (true)
            {
                var line = await transport.ReceiveLineAsync(timeout.Token).ConfigureAwait(false);
                var message = ServerMessage.Parse(line.Span, _bootIdUtf8);
                switch (message.Kind)
                {
                    case ServerMessageKind.Ack:
                        return message.Seq;
                    case ServerMessageKind.Error:
                        throw new PipelineServerException(message.Error!, message.Message);
                }
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException($"no resume ack from {_options.Uri} within {_options.ConnectTimeout}");
        }
    }

    /// <summary>Sends and reads acks until the connection fails (the reason) or the client closes.</summary>
    private async Task<string> ServeAsync(IEventTransport transport, CancellationToken stop)
    {
        // The sender ends with the connection: waiting for events (or sending), it would not see the receiver fail.
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var receiving = ReceiveAsync(transport);
        var sending = SendAsync(transport, connection.Token);
        var first = await Task.WhenAny(receiving, sending).ConfigureAwait(false);
        if (first == sending && stop.IsCancellationRequested)
        {
            try
            {
                using var goodbye = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await transport.CloseAsync(goodbye.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
            {
                // Closing anyway.
            }
        }

        transport.Abort();
        await connection.CancelAsync().ConfigureAwait(false);
        var reason = Reason(first);
        await Task.WhenAll(Quiet(receiving), Quiet(sending)).ConfigureAwait(false);
        return reason;

        static string Reason(Task task) => task.Exception?.GetBaseException() is { } ex ? ex.Message : "closed";

        static async Task Quiet(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Both loops end with the connection; the first one's reason is the one that counts.
            }
        }
    }

    private async Task ReceiveAsync(IEventTransport transport)
    {
        while (true)
        {
            var line = await transport.ReceiveLineAsync(CancellationToken.None).ConfigureAwait(false);
            var message = ServerMessage.Parse(line.Span, _bootIdUtf8);
            if (message.Kind == ServerMessageKind.Ack)
            {
                lock (_gate)
                {
                    ApplyAck(message.Seq);
                }
            }
            else if (message.Kind == ServerMessageKind.Error)
            {
                throw new PipelineServerException(message.Error!, message.Message);
            }
        }
    }

    private async Task SendAsync(IEventTransport transport, CancellationToken stop)
    {
        while (true)
        {
            BufferChunk? chunk = null;
            ReadOnlyMemory<byte> bytes = default;
            Task? idle = null;
            lock (_gate)
            {
                if (_buffer.TryTakeSlice(out chunk, out bytes, out var count, out var resent))
                {
                    _sent += count;
                    _resent += resent;
                }
                else
                {
                    chunk = null;
                    _dataWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    idle = _dataWaiter.Task;
                }
            }

            if (idle is not null)
            {
                try
                {
                    await idle.WaitAsync(_options.HeartbeatInterval, stop).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await transport.SendAsync(Heartbeat, stop).ConfigureAwait(false);
                }

                continue;
            }

            try
            {
                await transport.SendAsync(bytes, stop).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    EventBuffer.EndSend(chunk!);
                }
            }
        }
    }

    /// <summary>Under the lock: frees everything up to <paramref name="seq"/> and wakes whoever waits for that.</summary>
    private void ApplyAck(long seq)
    {
        if (seq > _acknowledgedSeq)
        {
            _acknowledgedSeq = seq;
            Changed();
        }

        var freed = _buffer.Acknowledge(seq);
        if (freed == 0)
        {
            return;
        }

        _acknowledged += freed;
        CompleteFlushWaiters();
        // Freed memory may have taken spilled events back: the sender has work.
        if (_dataWaiter is { } waiter)
        {
            _dataWaiter = null;
            waiter.TrySetResult();
        }
    }
}
