using System.Collections.Frozen;
using System.Text.Json;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// Reads a tokens file: a JSON object mapping a name (a robot_id, an ops user) to the lowercase hex SHA-256
/// of its token, <c>{"robot-7":"9f86d0…"}</c>. A file is used whole or not at all: every bad entry is
/// reported, each by name, and none of the file is taken. Messages never repeat a value: a value that is
/// not a hash may be a token pasted by mistake.
/// </summary>
internal static class TokenFile
{
    private const string Expected = "the SHA-256 of the token as 64 hex characters (`pipeline auth hash-token` prints it)";

    /// <summary>The entries of the file at <paramref name="path"/>, or null with <paramref name="errors"/> saying why.</summary>
    public static FrozenDictionary<string, byte[]>? Load(string path, List<string> errors)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            errors.Add("does not exist.");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"cannot be read: {ex.Message}");
            return null;
        }

        return Parse(bytes, errors);
    }

    /// <summary>The entries of a file's content, or null with <paramref name="errors"/> saying why.</summary>
    public static FrozenDictionary<string, byte[]>? Parse(ReadOnlyMemory<byte> json, List<string> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            errors.Add($"not valid JSON ({ex.Message}); expected an object such as {{\"robot-7\":\"9f86d0…\"}}.");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"must be a JSON object of name → {Expected}, e.g. {{\"robot-7\":\"9f86d0…\"}} (got {Describe(root.ValueKind)}).");
                return null;
            }

            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var before = errors.Count;
            foreach (var entry in root.EnumerateObject())
            {
                if (ReadEntry(entry, errors) is not { } hash)
                {
                    continue;
                }

                if (!entries.TryAdd(entry.Name, hash))
                {
                    errors.Add($"entry \"{entry.Name}\": appears more than once.");
                }
            }

            return errors.Count == before ? entries.ToFrozenDictionary(StringComparer.Ordinal) : null;
        }
    }

    private static byte[]? ReadEntry(JsonProperty entry, List<string> errors)
    {
        if (entry.Name.Length == 0 || string.IsNullOrWhiteSpace(entry.Name))
        {
            errors.Add("an entry has an empty name: each name is a robot_id or an ops user name.");
            return null;
        }

        if (entry.Value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"entry \"{entry.Name}\": must be a string, {Expected} (got {Describe(entry.Value.ValueKind)}).");
            return null;
        }

        var value = entry.Value.GetString()!;
        if (value.Length != TokenHash.Size * 2)
        {
            errors.Add($"entry \"{entry.Name}\": must be {Expected} (got {value.Length} characters).");
            return null;
        }

        var bad = value.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF");
        if (bad >= 0)
        {
            errors.Add($"entry \"{entry.Name}\": must be {Expected} (character {bad + 1} is not 0-9 or a-f).");
            return null;
        }

        return Convert.FromHexString(value);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
