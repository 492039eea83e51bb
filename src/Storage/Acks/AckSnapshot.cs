using System.Text.Json.Serialization;

namespace Pipeline.Storage.Acks;

/// <summary>
/// <c>data/acks/streams.json</c>: the highest durable seq per robot boot, and the place in the rolling files up to
/// which those numbers account for everything written. Recovery reads the files after that place.
/// </summary>
public sealed record AckSnapshot(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("files_file")] string? FilesFile,
    [property: JsonPropertyName("files_offset")] long FilesOffset,
    [property: JsonPropertyName("streams")] IReadOnlyList<AckSnapshotStream> Streams);
