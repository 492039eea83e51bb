using Microsoft.AspNetCore.Connections;

namespace Pipeline.Ingest.Robots;

/// <summary>A TCP robot: NDJSON in, nothing sent back but errors, so presence can only close it.</summary>
internal sealed class TcpRobotLink : IRobotLink
{
    private readonly ConnectionContext _connection;

    public TcpRobotLink(ConnectionContext connection)
    {
        _connection = connection;
    }

    public bool CanSend => false;

    public ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public void Close(string reason) => _connection.Abort(new ConnectionAbortedException(reason));
}
