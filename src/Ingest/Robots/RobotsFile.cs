using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// <c>data/robots/robots.json</c>: each robot's last session number and when it was last seen, so that session
/// numbers keep growing across restarts and the fleet list knows the robots that have not reconnected yet.
/// Written whole to a temporary file and renamed, so a crash leaves the previous version.
/// </summary>
internal static class RobotsFile
{
    public const string FileName = "robots.json";

    /// <summary>The saved robots; an unreadable file is reported through <paramref name="problem"/> and read as empty.</summary>
    public static Dictionary<string, (long Session, DateTimeOffset? LastSeen)> Load(string directory, out string? problem)
    {
        problem = null;
        var result = new Dictionary<string, (long, DateTimeOffset?)>(StringComparer.Ordinal);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            if (JsonNode.Parse(File.ReadAllBytes(path)) is not JsonObject root || root["robots"] is not JsonObject robots)
            {
                problem = $"{path}: not an object with \"robots\"";
                return result;
            }

            foreach (var (id, value) in robots)
            {
                if (value is JsonObject robot && robot["session"] is JsonValue session && session.TryGetValue<long>(out var number))
                {
                    DateTimeOffset? seen = robot["last_seen"] is JsonValue s && s.TryGetValue<DateTimeOffset>(out var at) ? at : null;
                    result[id] = (number, seen);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"{path}: {ex.Message}";
        }

        return result;
    }

    public static void Save(string directory, IEnumerable<RobotEntry> robots)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteStartObject("robots");
            foreach (var robot in robots)
            {
                if (robot.Session == 0)
                {
                    continue;
                }

                json.WriteStartObject(robot.Id);
                json.WriteNumber("session", robot.Session);
                if (robot.LastSeen is { } seen)
                {
                    json.WriteString("last_seen", seen);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
