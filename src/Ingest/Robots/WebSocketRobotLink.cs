using System.Net.WebSockets;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// A WebSocket robot: control messages are text messages. WebSocket allows one send at a time, so every send —
/// heartbeats, commands, the endpoint's close — goes through one gate.
/// </summary>
internal sealed class WebSocketRobotLink : IRobotLink, IDisposable
{
    /// <summary>The close code when the robot went silent past 1.5 × the heartbeat interval.</summary>
    internal const int HeartbeatTimeout = 4408;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebSocketRobotLink(WebSocket socket)
    {
        _socket = socket;
    }

    public bool CanSend => true;

    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                return false;
            }

            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<bool> SendReplyAsync(ReadOnlyMemory<byte> message) => SendAsync(message, CancellationToken.None);

    /// <summary>Closes with <paramref name="code"/>, and aborts when the robot does not answer the close in time.</summary>
    public void Close(int code, string reason) => _ = CloseThenAbortAsync(code, reason);

    /// <summary>Sends the close (when the socket is still open); never throws: the peer may be gone.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _socket.Abort(); // a send is stuck on a peer that does not read
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer is gone; nothing more to say to it.
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Says why, and aborts when the robot does not answer the close in time: a robot silent this long may be gone.</summary>
    public void Close(string reason) => _ = CloseThenAbortAsync(HeartbeatTimeout, reason);

    /// <summary>
    /// The endpoint is done with the socket (its receive loop ended). The gate is not disposed: a heartbeat or a
    /// command may still be leaving through it, and a semaphore without a wait handle holds nothing to free.
    /// </summary>
    public void Dispose() => _ended.TrySetResult();

    private async Task CloseThenAbortAsync(int code, string reason)
    {
        await CloseAsync((WebSocketCloseStatus)code, reason).ConfigureAwait(false);
        if (await Task.WhenAny(_ended.Task, Task.Delay(CloseTimeout)).ConfigureAwait(false) != _ended.Task)
        {
            _socket.Abort();
        }
    }
}
