using System.Net.Sockets;
using System.Text;

namespace Pipeline.LoadTests.Fleet;

/// <summary>A robot on raw TCP: NDJSON written straight to the socket.</summary>
internal sealed class TcpRobotConnection : IRobotConnection
{
    private readonly Socket _socket;

    private TcpRobotConnection(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<IRobotConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new TcpRobotConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        while (!lines.IsEmpty)
        {
            var sent = await _socket.SendAsync(lines, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            lines = lines[sent..];
        }
    }

    public async Task<string?> CloseAsync(CancellationToken cancellationToken)
    {
        // FIN, then read until the server closes: it does so after framing our last line.
        _socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[1024];
        var said = new StringBuilder();
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return said.Length == 0 ? null : said.ToString().Trim();
            }

            if (said.Length < 1024)
            {
                said.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
