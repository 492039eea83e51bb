using System.Text;
using System.Text.Json;

namespace Pipeline.Client.Internal;

/// <summary>What a line from the server says: an ack for this boot, an error, or something the client ignores.</summary>
internal readonly record struct ServerMessage(ServerMessageKind Kind, long Seq, string? Error, string? Message)
{
    /// <summary>Reads <paramref name="line"/>; an ack for another boot and anything unreadable are <see cref="ServerMessageKind.Other"/>.</summary>
    public static ServerMessage Parse(ReadOnlySpan<byte> line, ReadOnlySpan<byte> bootId)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            var type = Type.Unknown;
            var bootMatches = false;
            long seq = -1;
            string? error = null;
            string? message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType != JsonTokenType.String ? Type.Unknown
                        : reader.ValueTextEquals("ack"u8) ? Type.Ack
                        : reader.ValueTextEquals("error"u8) ? Type.Error
                        : Type.Unknown;
                }
                else if (reader.ValueTextEquals("boot_id"u8))
                {
                    reader.Read();
                    bootMatches = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(bootId);
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
                    {
                        seq = value;
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return type switch
            {
                Type.Ack when bootMatches && seq >= 0 => new ServerMessage(ServerMessageKind.Ack, seq, null, null),
                Type.Error => new ServerMessage(ServerMessageKind.Error, 0, error ?? "error", message),
                _ => default,
            };
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>For logs: the line as text, cut short.</summary>
    public static string Show(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);

    private enum Type
    {
        Unknown,
        Ack,
        Error,
    }
}
