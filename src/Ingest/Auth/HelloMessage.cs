using System.Text.Json;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// A robot's hello, <c>{"type":"hello","robot_id":"…","token":"…"}</c>: the first line on TCP, or the first message
/// on a WebSocket that carries its token in neither the header nor the query. At most <see cref="MaxBytes"/>.
/// </summary>
internal static class HelloMessage
{
    /// <summary>A hello longer than this is not one.</summary>
    public const int MaxBytes = 4096;

    /// <summary>How long a connection may take to send its hello when robot tokens are configured.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>What a refused robot is told its first line should have been.</summary>
    public const string Expected = "the first line must be {\"type\":\"hello\",\"robot_id\":\"…\",\"token\":\"…\"}";

    public static string TooLong => $"the first line must be a hello of at most {MaxBytes} bytes";

    /// <summary>The robot_id and token of <paramref name="line"/>, or the error to send back (<c>Error</c> set).</summary>
    public static (string? RobotId, string? Token, string? Error) Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
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
