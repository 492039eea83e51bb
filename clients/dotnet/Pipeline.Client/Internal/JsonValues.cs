using System.Globalization;
using System.Text.Json;

namespace Pipeline.Client.Internal;

/// <summary>Attribute values as JSON: numbers and booleans as themselves, everything else as invariant text.</summary>
internal static class JsonValues
{
    /// <summary>
    /// Writes <paramref name="key"/>: <paramref name="value"/>. A key the client or the server gives a meaning
    /// (<c>seq</c>, <c>ts</c>, <c>level</c>, …) gets a trailing <c>_</c>: an attribute named <c>seq</c> must
    /// never be taken for the event's sequence number.
    /// </summary>
    public static void WriteAttribute(Utf8JsonWriter writer, string key, object? value)
    {
        if (IsReserved(key))
        {
            writer.WritePropertyName(key + "_");
        }
        else
        {
            writer.WritePropertyName(key);
        }

        WriteValue(writer, value);
    }

    public static bool IsReserved(string key) => key switch
    {
        "seq" or "ts" or "level" or "msg" or "type" or "robot_id" or "boot_id" or "conn_id" or "trace_id" or "span_id" or "hash" or "attrs" => true,
        _ => false,
    };

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case short or byte or sbyte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                writer.WriteNumberValue(number);
                break;
            case DateTimeOffset time:
                writer.WriteStringValue(time);
                break;
            case DateTime time:
                writer.WriteStringValue(time);
                break;
            case Guid id:
                writer.WriteStringValue(id);
                break;
            case Enum:
                writer.WriteStringValue(value.ToString());
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
