using System.Text.Json;

namespace Pipeline.Ingest.Framing;

/// <summary>Finds the top-level <c>robot_id</c> string of one NDJSON line without building anything: the JSON-escaped value, or empty.</summary>
internal static class RobotIdPeek
{
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRobot = !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual("robot_id"u8);
                reader.Read();
                if (isRobot)
                {
                    return reader.TokenType == JsonTokenType.String && !reader.HasValueSequence
                        ? line.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length)
                        : default;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // A bad line names no robot; the parse block counts it.
        }

        return default;
    }
}
