namespace Pipeline.Client.Internal;

/// <summary>One connection to the server: NDJSON lines out, lines in. Throws on any failure; the client reconnects.</summary>
internal interface IEventTransport : IAsyncDisposable
{
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends complete lines (each ends with <c>\n</c>): one WebSocket message, or a write on TCP.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken);

    /// <summary>The next line from the server, without its <c>\n</c>; valid until the next call. Throws when the connection ended.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReceiveLineAsync(CancellationToken cancellationToken);

    /// <summary>Says goodbye when the protocol has a way (a WebSocket close), within the token's time.</summary>
    Task CloseAsync(CancellationToken cancellationToken);

    /// <summary>Drops the connection at once, without a goodbye (a reset on TCP).</summary>
    void Abort();
}
