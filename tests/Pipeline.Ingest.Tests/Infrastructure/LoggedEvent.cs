using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>One line of the rolling files, with the fields the tests look at.</summary>
public sealed record LoggedEvent(string? Msg, string? Protocol, string? RobotId, string Json)
{
    /// <summary>Every event in the pipeline's rolling files (read after <see cref="TestPipeline.StopAsync"/>).</summary>
    public static List<LoggedEvent> ReadAll(TestPipeline pipeline)
    {
        var events = new List<LoggedEvent>();
        foreach (var line in pipeline.ReadLogLines())
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            events.Add(new LoggedEvent(Text(root, "msg"), Text(root, "protocol"), Text(root, "robot_id"), line));
        }

        return events;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
