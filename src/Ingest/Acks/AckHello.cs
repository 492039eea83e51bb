using System.Text.Json;

namespace Pipeline.Ingest.Acks;

/// <summary>
/// What a hello says about acks: <c>{"type":"hello","robot_id":"…","boot_id":"…","acks":true}</c> (docs/acks.md). Read
/// once per connection, from its first line.
/// </summary>
internal readonly record struct AckHello(bool Acks, string? RobotId, string? BootId)
{
    /// <summary>The longest boot_id taken.</summary>
    public const int MaxBootIdLength = 128;

    /// <summary>A quick look before parsing: the first line of most connections is an event, not a hello.</summary>
    public static bool MayBeHello(ReadOnlySpan<byte> line) => line.IndexOf("\"hello\""u8) >= 0 && line.IndexOf("\"acks\""u8) >= 0;

    /// <summary>The hello's ack fields, or <c>Acks: false</c> when the line is not a hello that asks for acks.</summary>
    public static AckHello Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String ||
                type.GetString() != "hello" || !root.TryGetProperty("acks", out var acks) || acks.ValueKind != JsonValueKind.True)
            {
                return default;
            }

            return new AckHello(true, Text(root, "robot_id"), Text(root, "boot_id"));
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>Why the hello cannot have acks, or null.</summary>
    public string? Problem(string? connectionRobot) =>
        (RobotId ?? connectionRobot) is not { Length: > 0 } ? "a hello with \"acks\":true needs \"robot_id\""
        : BootId is not { Length: > 0 } ? "a hello with \"acks\":true needs \"boot_id\" (new at each boot, e.g. a UUID)"
        : BootId.Length > MaxBootIdLength ? $"\"boot_id\" is longer than {MaxBootIdLength} characters"
        : null;

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
