using System.Net.Sockets;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>A robot on a raw TCP connection: writes as the test says, reads what the server says.</summary>
public sealed class TcpPeer : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private TcpPeer(TcpClient client)
    {
        _client = client;
        _client.NoDelay = true; // every write its own segment, so "trickled" input really is
        _stream = client.GetStream();
    }

    public static async Task<TcpPeer> ConnectAsync(TestPipeline pipeline) => new(await pipeline.ConnectTcpAsync());

    public NetworkStream Stream => _stream;

    public Task SendAsync(string text) => SendAsync(Ndjson.Bytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Writes <paramref name="bytes"/> in pieces of <paramref name="chunk"/> bytes, one write each.</summary>
    public async Task TrickleAsync(byte[] bytes, int chunk)
    {
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            await _stream.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
        }
    }

    /// <summary>Reads until the server closes its side; returns everything it sent.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        using var all = new MemoryStream();
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        while ((read = await _stream.ReadAsync(buffer, limit.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    /// <summary>Half-closes (the server sees end of stream) and waits until the server has closed too.</summary>
    public async Task CloseAsync()
    {
        _client.Client.Shutdown(SocketShutdown.Send);
        await ReadToEndAsync();
    }

    public void Dispose() => _client.Dispose();
}
