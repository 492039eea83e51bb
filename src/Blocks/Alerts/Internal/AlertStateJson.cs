using System.Text.Json.Serialization;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The state files' serializers, generated at build time: no reflection at the first save after a start, and a
/// snapshot of ten thousand alerts written straight by <see cref="System.Text.Json.Utf8JsonWriter"/>. The JSON is
/// the same as the reflection-based serializer's (property names as declared, enums as numbers).
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AlertStateFile))]
[JsonSerializable(typeof(AlertStateEntry))]
[JsonSerializable(typeof(AlertJournalHeader))]
internal sealed partial class AlertStateJson : JsonSerializerContext;
