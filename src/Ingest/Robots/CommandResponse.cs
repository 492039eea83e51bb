using System.Text.Json;

namespace Pipeline.Ingest.Robots;

/// <summary>A robot's <c>{"type":"command_response","command_id":…,"success":…,"result":…,"error":…}</c>.</summary>
internal sealed record CommandResponse(string CommandId, bool Success, JsonElement? RobotResult, string? Error)
{
    /// <summary>Reads the message; null when it has no <c>command_id</c> string or is not JSON. A missing <c>success</c> means true unless there is an <c>error</c>.</summary>
    public static CommandResponse? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (!root.TryGetProperty("command_id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            string? error = root.TryGetProperty("error", out var e) && e.ValueKind != JsonValueKind.Null
                ? (e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())
                : null;
            var success = root.TryGetProperty("success", out var s) ? s.ValueKind == JsonValueKind.True : error is null;
            JsonElement? result = root.TryGetProperty("result", out var r) ? r.Clone() : null;
            return new CommandResponse(id.GetString()!, success, result, error);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
