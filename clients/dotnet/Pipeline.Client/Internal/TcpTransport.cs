using System.Net.Sockets;

namespace Pipeline.Client.Internal;

/// <summary>NDJSON lines both ways over a plain TCP connection (<c>tcp://HOST:PORT</c>).</summary>
internal sealed class TcpTransport : IEventTransport
{
    private readonly string _host;
    private readonly int _port;
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly LineReader _reader = new();

    public TcpTransport(Uri uri)
    {
        _host = uri.Host;
        _port = uri.Port;
    }

    public Task ConnectAsync(CancellationToken cancellationToken) => _socket.ConnectAsync(_host, _port, cancellationToken).AsTask();

    public async ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        while (!lines.IsEmpty)
        {
            var sent = await _socket.SendAsync(lines, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            lines = lines[sent..];
        }
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReceiveLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_reader.TryReadLine(out var line))
            {
                return line;
            }

            var read = await _socket.ReceiveAsync(_reader.GetMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            _reader.Advance(read);
        }
    }

    public Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        return Task.CompletedTask;
    }

    public void Abort()
    {
        try
        {
            // Linger 0: the close is a reset, as when a robot's network goes away mid-stream.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
