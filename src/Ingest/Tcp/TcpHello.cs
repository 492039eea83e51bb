using System.Buffers;
using System.IO.Pipelines;
using Pipeline.Ingest.Auth;

namespace Pipeline.Ingest.Tcp;

/// <summary>
/// The first line of a TCP connection when robot tokens are configured:
/// <c>{"type":"hello","robot_id":"…","token":"…"}</c>. Read before the framer starts, so not one event of a
/// robot that is refused reaches the graph.
/// </summary>
internal static class TcpHello
{
    /// <summary>
    /// Reads and consumes the first line. Returns the robot_id and token, or the error to send back
    /// (<c>error</c> set): the peer closed first, the line is too long, not JSON, or not a hello; and the line itself
    /// (the framer reads what it says about acks).
    /// </summary>
    public static async Task<(string? RobotId, string? Token, string? Error, byte[]? Line)> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is null)
            {
                if (result.IsCompleted || buffer.Length > HelloMessage.MaxBytes)
                {
                    input.AdvanceTo(buffer.End);
                    return (null, null, result.IsCompleted ? "closed before the hello" : HelloMessage.TooLong, null);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var line = buffer.Slice(0, end.Value);
            var bytes = line.Length > HelloMessage.MaxBytes ? null : line.ToArray();
            var parsed = bytes is null ? (null, null, HelloMessage.TooLong) : HelloMessage.Parse(bytes);
            input.AdvanceTo(buffer.GetPosition(1, end.Value));
            return (parsed.RobotId, parsed.Token, parsed.Error, bytes);
        }
    }
}
