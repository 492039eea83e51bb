using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// The <c>templates.json</c> format (version 1). Readable by people and tools: a token is a plain JSON
/// string, unless it is a generalised variable (<c>{"text":"&lt;*&gt;","generalised":true}</c>) or not valid
/// UTF-8 (<c>{"base64":"…"}</c>, so binary junk round-trips byte for byte). A token's hash, shape and
/// "wordy" flag are functions of its bytes and are recomputed; only the one case where the tokenizer
/// decides otherwise (a literal that contains <c>&lt;*&gt;</c> in the input) is written out.
/// Times are RFC 3339 UTC with milliseconds (null when the miner ran without a clock).
/// </summary>
internal static class PatternSnapshotFormat
{
    public const int Version = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static void Write(Stream stream, PatternSnapshot snapshot, DateTimeOffset writtenAt)
    {
        // The header holds only numbers and a timestamp, so it is written as it is; then one template per
        // line, so that diffs and grep stay usable without the bulk of indenting every token.
        var header = string.Create(CultureInfo.InvariantCulture,
            $"{{\"version\":{Version},\"written_at\":\"{Time(writtenAt.ToUnixTimeMilliseconds())}\",\"clock\":{snapshot.Clock},\"template_count\":{snapshot.Templates.Length},\"templates\":[");
        stream.Write(Encoding.ASCII.GetBytes(header));
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        for (var i = 0; i < snapshot.Templates.Length; i++)
        {
            stream.Write(i == 0 ? "\n"u8 : ",\n"u8);
            WriteTemplate(w, snapshot.Templates[i]);
            w.Flush();
            w.Reset(stream);
        }

        stream.Write("\n]}\n"u8);
    }

    private static void WriteTemplate(Utf8JsonWriter w, PatternSnapshotEntry t)
    {
        w.WriteStartObject();
        Output.JsonIds.Write(w, "id", t.Id);
        w.WriteString("text", t.Text);
        w.WriteNumber("count", t.Count);
        WriteTime(w, "first_seen", t.FirstSeenAt);
        WriteTime(w, "last_seen", t.LastSeenAt);
        w.WriteNumber("generalisations", t.Generalisations);
        w.WriteNumber("seq", t.Sequence);
        w.WriteNumber("last_seq", t.LastSequence);
        if (t.Example is not null)
        {
            w.WriteString("example", t.Example);
        }

        w.WriteStartArray("tokens");
        foreach (var token in t.Tokens)
        {
            WriteToken(w, token);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Parses a snapshot; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static PatternSnapshot Read(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the root is not a JSON object.");
            }

            var version = Required(root, "version").GetInt32();
            if (version != Version)
            {
                throw new FormatException($"version {version} is not supported (this build reads version {Version}).");
            }

            var clock = Required(root, "clock").GetInt64();
            var array = Required(root, "templates");
            var templates = new PatternSnapshotEntry[array.GetArrayLength()];
            var i = 0;
            foreach (var t in array.EnumerateArray())
            {
                templates[i++] = ReadTemplate(t);
            }

            return new PatternSnapshot(clock, templates);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static PatternSnapshotEntry ReadTemplate(JsonElement t)
    {
        var tokensJson = Required(t, "tokens");
        var tokens = new TemplateToken[tokensJson.GetArrayLength()];
        var i = 0;
        foreach (var token in tokensJson.EnumerateArray())
        {
            tokens[i++] = ReadToken(token);
        }

        var example = t.TryGetProperty("example", out var e) && e.ValueKind != JsonValueKind.Null ? e.GetString() : null;
        return new PatternSnapshotEntry(
            Required(t, "id").GetUInt64(),
            tokens,
            Required(t, "text").GetString() ?? "",
            Required(t, "count").GetInt64(),
            ReadTime(t, "first_seen"),
            ReadTime(t, "last_seen"),
            example,
            Required(t, "generalisations").GetInt32(),
            Required(t, "seq").GetInt64(),
            Required(t, "last_seq").GetInt64());
    }

    private static void WriteToken(Utf8JsonWriter w, TemplateToken token)
    {
        var text = token.Text;
        var valid = Utf8.IsValid(text);
        var shape = MessageTokenizer.ShapeOf(text, out var wordy);
        var exceptional = shape != token.Shape || wordy != token.Wordy;
        if (valid && !token.Generalised && !exceptional)
        {
            w.WriteStringValue(text);
            return;
        }

        w.WriteStartObject();
        if (valid)
        {
            w.WriteString("text", text);
        }
        else
        {
            w.WriteBase64String("base64", text);
        }

        if (token.Generalised)
        {
            w.WriteBoolean("generalised", true);
        }

        if (exceptional)
        {
            w.WriteString("shape", token.Shape.ToString().ToLowerInvariant());
            w.WriteBoolean("wordy", token.Wordy);
        }

        w.WriteEndObject();
    }

    private static TemplateToken ReadToken(JsonElement token)
    {
        byte[] text;
        var generalised = false;
        TokenShape? shape = null;
        bool? wordy = null;
        if (token.ValueKind == JsonValueKind.String)
        {
            text = Encoding.UTF8.GetBytes(token.GetString()!);
        }
        else if (token.ValueKind == JsonValueKind.Object)
        {
            text = token.TryGetProperty("base64", out var b64) ? b64.GetBytesFromBase64()
                : Encoding.UTF8.GetBytes(Required(token, "text").GetString() ?? "");
            generalised = token.TryGetProperty("generalised", out var g) && g.GetBoolean();
            if (token.TryGetProperty("shape", out var s))
            {
                shape = Enum.Parse<TokenShape>(s.GetString() ?? "", ignoreCase: true);
                wordy = Required(token, "wordy").GetBoolean();
            }
        }
        else
        {
            throw new FormatException($"a token is a {token.ValueKind}, not a string or an object.");
        }

        var computed = MessageTokenizer.ShapeOf(text, out var computedWordy);
        return new TemplateToken(text, StableHash.Hash(text), shape ?? computed, wordy ?? computedWordy, generalised);
    }

    private static JsonElement Required(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? value : throw new FormatException($"'{name}' is missing.");

    private static void WriteTime(Utf8JsonWriter w, string name, long unixMs)
    {
        if (unixMs == 0)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Time(unixMs));
        }
    }

    private static long ReadTime(JsonElement t, string name)
    {
        var e = Required(t, name);
        return e.ValueKind == JsonValueKind.Null ? 0
            : DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
    }

    internal static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
