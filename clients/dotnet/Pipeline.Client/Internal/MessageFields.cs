using System.Text.Json;

namespace Pipeline.Client.Internal;

/// <summary>The fields of <see cref="PipelineClient.Log(PipelineLevel, string, string?, IReadOnlyList{KeyValuePair{string, object?}}?, CancellationToken)"/>.</summary>
internal readonly record struct MessageFields(string Message, string? Type, IReadOnlyList<KeyValuePair<string, object?>>? Attributes)
{
    public static readonly EventFieldsWriter<MessageFields> Writer = Write;

    private static void Write(Utf8JsonWriter writer, in MessageFields fields)
    {
        writer.WriteString("msg"u8, fields.Message);
        if (fields.Type is not null)
        {
            writer.WriteString("type"u8, fields.Type);
        }

        if (fields.Attributes is { } attributes)
        {
            for (var i = 0; i < attributes.Count; i++)
            {
                JsonValues.WriteAttribute(writer, attributes[i].Key, attributes[i].Value);
            }
        }
    }
}
