using Microsoft.AspNetCore.Connections;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// A TCP robot: NDJSON in; back only replies (acks, errors) as lines, so presence can only close it and commands need
/// a WebSocket.
/// </summary>
internal sealed class TcpRobotLink : IRobotLink
{
    private readonly ConnectionContext _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public TcpRobotLink(ConnectionContext connection)
    {
        _connection = connection;
    }

    public bool CanSend => false;

    public ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async ValueTask<bool> SendReplyAsync(ReadOnlyMemory<byte> message)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var output = _connection.Transport.Output;
            var span = output.GetSpan(message.Length + 1);
            message.Span.CopyTo(span);
            span[message.Length] = (byte)'\n';
            output.Advance(message.Length + 1);
            var flushed = await output.FlushAsync().ConfigureAwait(false);
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            return false; // the robot is gone
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Close(string reason) => _connection.Abort(new ConnectionAbortedException(reason));

    public void Close(int code, string reason) => Close(reason);
}
