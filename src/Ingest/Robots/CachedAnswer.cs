using System.Text.Json;

namespace Pipeline.Ingest.Robots;

/// <summary>A robot's last answer to <c>get_status</c>, <c>get_config</c> or <c>get_logs</c> (or a <c>status_update</c> event), and when it came.</summary>
/// <param name="Value">The result, detached from the message it came in.</param>
/// <param name="At">When the service received it.</param>
/// <param name="Source"><c>command</c>, <c>refresh</c> or <c>status_update</c>.</param>
internal sealed record CachedAnswer(JsonElement Value, DateTimeOffset At, string Source);
