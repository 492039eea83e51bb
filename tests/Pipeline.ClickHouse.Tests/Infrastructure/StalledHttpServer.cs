using System.Net;
using System.Net.Sockets;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A loopback listener that takes requests and never answers: a ClickHouse that hangs.</summary>
internal sealed class StalledHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private readonly TaskCompletionSource _requestSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StalledHttpServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Completes when the first request bytes arrived.</summary>
    public Task RequestSeen => _requestSeen.Task;

    public void Dispose()
    {
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                lock (_clients)
                {
                    _clients.Add(client);
                }

                _ = DrainAsync(client);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task DrainAsync(TcpClient client)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await client.GetStream().ReadAsync(buffer) > 0)
            {
                _requestSeen.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
    }
}
