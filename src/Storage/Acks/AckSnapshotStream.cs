using System.Text.Json.Serialization;

namespace Pipeline.Storage.Acks;

/// <summary>One robot boot in <see cref="AckSnapshot"/>.</summary>
public sealed record AckSnapshotStream(
    [property: JsonPropertyName("robot_id")] string RobotId,
    [property: JsonPropertyName("boot_id")] string BootId,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("last_activity")] long LastActivity);
