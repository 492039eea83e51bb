namespace Pipeline.LoadTests.Fleet;

/// <summary>One robot's connection to the ingest front end.</summary>
internal interface IRobotConnection : IAsyncDisposable
{
    /// <summary>Sends NDJSON lines (a socket write, or one WebSocket text message).</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken);

    /// <summary>
    /// Says goodbye and waits for the server to close its side, which it does once it has read
    /// everything. Returns what the server sent meanwhile (an error line), or null.
    /// </summary>
    Task<string?> CloseAsync(CancellationToken cancellationToken);
}
