using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Pipeline.Ingest.Tcp;

/// <summary>
/// The first line of a TCP connection when robot tokens are configured:
/// <c>{"type":"hello","robot_id":"…","token":"…"}</c>. Read before the framer starts, so not one event of a
/// robot that is refused reaches the graph.
/// </summary>
internal static class TcpHello
{
    /// <summary>A hello longer than this is not one.</summary>
    public const int MaxBytes = 4096;

    /// <summary>
    /// Reads and consumes the first line. Returns the robot_id and token, or the error to send back
    /// (<c>error</c> set): the peer closed first, the line is too long, not JSON, or not a hello.
    /// </summary>
    public static async Task<(string? RobotId, string? Token, string? Error)> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is null)
            {
                if (result.IsCompleted || buffer.Length > MaxBytes)
                {
                    input.AdvanceTo(buffer.End);
                    return (null, null, result.IsCompleted ? "closed before the hello" : $"the first line must be a hello of at most {MaxBytes} bytes");
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var line = buffer.Slice(0, end.Value);
            var parsed = line.Length > MaxBytes ? (null, null, $"the first line must be a hello of at most {MaxBytes} bytes") : Parse(line.ToArray());
            input.AdvanceTo(buffer.GetPosition(1, end.Value));
            return parsed;
        }
    }

    private static (string? RobotId, string? Token, string? Error) Parse(byte[] line)
    {
        const string Expected = "the first line must be {\"type\":\"hello\",\"robot_id\":\"…\",\"token\":\"…\"}";
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "hello")
            {
                return (null, null, Expected);
            }

            return (Text(root, "robot_id"), Text(root, "token"), null);
        }
        catch (JsonException)
        {
            return (null, null, Expected);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
