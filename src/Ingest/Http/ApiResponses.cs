using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Pipeline.Ingest.Http;

/// <summary>The API's JSON bodies: one object per response, errors as <c>{"error":"…"}</c> with their status code.</summary>
internal static class ApiResponses
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>For records the API shows as they are: snake_case names and enum values, dictionary keys untouched.</summary>
    public static JsonSerializerOptions Serializer { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IResult Error(int status, string message) => Body(status, json => json.WriteString("error", message));

    public static IResult Body(int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return Results.Text(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n", "application/json", statusCode: status);
    }

    /// <summary>A property holding <paramref name="value"/> serialized with <see cref="Serializer"/>.</summary>
    public static void Write<T>(Utf8JsonWriter json, string name, T value)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, value, Serializer);
    }
}
