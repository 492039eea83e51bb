using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Client.Bench;

/// <summary>
/// A TCP server of the ack protocol that keeps nothing: it answers the hello with seq 0 and acks the last seq of every
/// read at once. What the client costs, without the service's parsing and fsync.
/// </summary>
internal sealed class NullServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private NullServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public Uri Uri => new($"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public static NullServer Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        using var owned = socket;
        var buffer = new byte[1 << 20];
        var length = 0;
        string? bootId = null;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                length += read;
                var lastNewline = buffer.AsSpan(0, length).LastIndexOf((byte)'\n');
                if (lastNewline < 0)
                {
                    continue;
                }

                var lines = buffer.AsSpan(0, lastNewline);
                var start = lines.LastIndexOf((byte)'\n') + 1;
                var last = lines[start..];
                if (bootId is null)
                {
                    var hello = Encoding.UTF8.GetString(last);
                    var at = hello.IndexOf("\"boot_id\":\"", StringComparison.Ordinal) + 11;
                    bootId = hello[at..hello.IndexOf('"', at)];
                    await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"ack\",\"boot_id\":\"{bootId}\",\"seq\":0}}\n"), SocketFlags.None);
                }
                else if (last.StartsWith("{\"seq\":"u8) && Utf8Parser.TryParse(last[7..], out long seq, out _))
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"ack\",\"boot_id\":\"{bootId}\",\"seq\":{seq}}}\n"), SocketFlags.None);
                }

                buffer.AsSpan(lastNewline + 1, length - lastNewline - 1).CopyTo(buffer);
                length -= lastNewline + 1;
            }
        }
        catch (SocketException)
        {
        }
    }
}
