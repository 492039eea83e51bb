using System.Net.WebSockets;

namespace Pipeline.Client.Internal;

/// <summary>Text messages of NDJSON lines both ways over <c>ws://</c> or <c>wss://</c>.</summary>
internal sealed class WebSocketTransport : IEventTransport
{
    private readonly Uri _uri;
    private readonly ClientWebSocket _socket = new();
    private readonly LineReader _reader = new();

    // A pending ReceiveAsync does not always end when ClientWebSocket.Abort() is called; a cancelled token always ends it.
    private readonly CancellationTokenSource _aborted = new();

    public WebSocketTransport(Uri uri, string? token)
    {
        _uri = uri;
        if (token is not null)
        {
            _socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
    }

    public Task ConnectAsync(CancellationToken cancellationToken) => _socket.ConnectAsync(_uri, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) =>
        _socket.SendAsync(lines, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async ValueTask<ReadOnlyMemory<byte>> ReceiveLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_reader.TryReadLine(out var line))
            {
                return line;
            }

            var result = await _socket.ReceiveAsync(_reader.GetMemory(), cancellationToken.CanBeCanceled ? cancellationToken : _aborted.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                    $"the server closed the WebSocket: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }

            _reader.Advance(result.Count);
            if (result.EndOfMessage)
            {
                _reader.EndLine();
            }
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", cancellationToken).ConfigureAwait(false);
        }
    }

    public void Abort()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Abort();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _aborted.Dispose();
        return ValueTask.CompletedTask;
    }
}
