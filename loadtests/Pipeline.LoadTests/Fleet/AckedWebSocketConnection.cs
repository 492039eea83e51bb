using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.LoadTests.Reporting;

namespace Pipeline.LoadTests.Fleet;

/// <summary>
/// A robot on WebSocket with acknowledged delivery (docs/acks.md): a hello with a new boot_id, then each write's
/// events are numbered on by the generator (seq first, from 1); acks are read as they come and each write's ack
/// latency — from the write to the ack that covers its last event — is recorded. Closing waits for the last ack.
/// </summary>
internal sealed class AckedWebSocketConnection : IRobotConnection
{
    private readonly ClientWebSocket _socket;
    private readonly LoadStats _stats;
    private readonly ConcurrentQueue<(long LastSeq, int Events, long Written)> _writes = new();
    private readonly SemaphoreSlim _progress = new(0);
    private readonly Task _receiving;
    private long _sent;
    private long _acked;

    private AckedWebSocketConnection(ClientWebSocket socket, LoadStats stats)
    {
        _socket = socket;
        _stats = stats;
        _receiving = ReceiveAsync();
    }

    public static async Task<IRobotConnection> ConnectAsync(Uri url, string robotId, LoadStats stats, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
            var hello = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["type"] = "hello", ["robot_id"] = robotId, ["boot_id"] = Guid.NewGuid().ToString("N"), ["acks"] = true,
            });
            await socket.SendAsync(hello, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                // The resume ack; the server's commands on connect (get_status, …) may come first.
                var resume = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (resume.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"the server closed the connection after the hello: {socket.CloseStatusDescription}");
                }

                using var reply = JsonDocument.Parse(buffer.AsMemory(0, resume.Count));
                var type = reply.RootElement.GetProperty("type").GetString();
                if (type == "ack")
                {
                    return new AckedWebSocketConnection(socket, stats);
                }

                if (type == "error")
                {
                    throw new InvalidOperationException($"the server refused acks: {Encoding.UTF8.GetString(buffer, 0, resume.Count)}");
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        var events = lines.Span.Count((byte)'\n');
        _sent += events;
        _writes.Enqueue((_sent, events, Stopwatch.GetTimestamp()));
        return _socket.SendAsync(lines, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    public async Task<string?> CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (Interlocked.Read(ref _acked) < _sent && !_receiving.IsCompleted)
            {
                await _progress.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return $"{_sent - Interlocked.Read(ref _acked)} event(s) not acknowledged in time";
        }

        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
        var unacked = _sent - Interlocked.Read(ref _acked);
        return unacked > 0 ? $"closed with {unacked} event(s) unacknowledged"
            : _socket.CloseStatus is WebSocketCloseStatus.NormalClosure or null ? null
            : $"closed with {(int)_socket.CloseStatus!}: {_socket.CloseStatusDescription}";
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (Ack(buffer.AsSpan(0, result.Count)) is { } seq)
                {
                    OnAck(seq);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed.
        }
        finally
        {
            _progress.Release();
        }
    }

    private void OnAck(long seq)
    {
        var now = Stopwatch.GetTimestamp();
        while (_writes.TryPeek(out var write) && write.LastSeq <= seq && _writes.TryDequeue(out write))
        {
            _stats.RecordAck(write.Events, now - write.Written);
        }

        Interlocked.Exchange(ref _acked, seq);
        _progress.Release();
    }

    private static long? Ack(ReadOnlySpan<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message.ToArray());
            var root = document.RootElement;
            return root.GetProperty("type").GetString() == "ack" ? root.GetProperty("seq").GetInt64() : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // heartbeats, commands
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _progress.Dispose();
        return ValueTask.CompletedTask;
    }
}
