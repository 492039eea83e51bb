using System.Globalization;
using System.Text.Json;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// A files line as the row the ClickHouse logs query returns (ts as Unix ms, level, robot_id, robot_name, site, type,
/// msg, trace_id, attrs, template_id), so both sources print through the same code. Parses the whole line: only for
/// the rows printed, never per scanned event.
/// </summary>
internal static class EventRow
{
    public static string[] Parse(long ts, ReadOnlySpan<byte> line)
    {
        var row = new string[10];
        row[0] = ts.ToString(CultureInfo.InvariantCulture);
        for (var i = 1; i < row.Length; i++)
        {
            row[i] = "";
        }

        row[8] = "{}";
        row[9] = "0";
        var reader = new Utf8JsonReader(line);
        using var document = JsonDocument.ParseValue(ref reader);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "level": row[1] = value.GetString() ?? ""; break;
                case "robot_id": row[2] = value.GetString() ?? ""; break;
                case "robot_name": row[3] = value.GetString() ?? ""; break;
                case "site": row[4] = value.GetString() ?? ""; break;
                case "type": row[5] = value.GetString() ?? ""; break;
                case "msg": row[6] = value.GetString() ?? ""; break;
                case "trace_id": row[7] = value.GetString() ?? ""; break;
                case "attrs": row[8] = value.GetRawText(); break;
                case "template_id" when value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var id):
                    row[9] = id.ToString(CultureInfo.InvariantCulture);
                    break;
            }
        }

        return row;
    }

    /// <summary>Whether the line's top-level <c>robot_name</c>, unescaped, is <paramref name="name"/> (UTF-8); compared in place.</summary>
    public static bool RobotNameIs(ReadOnlySpan<byte> line, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("robot_name"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    return reader.ValueTextEquals(name);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
