using System.Text.Json;

namespace Pipeline.Storage.Acks;

/// <summary>Reads and writes <see cref="AckSnapshot"/> atomically (a temporary file, fsynced, renamed over the old one).</summary>
internal static class AckSnapshotFile
{
    public const string Name = "streams.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The snapshot in <paramref name="directory"/>, or null when there is none; throws <see cref="JsonException"/> when it is damaged.</summary>
    public static AckSnapshot? Read(string directory)
    {
        var path = Path.Combine(directory, Name);
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<AckSnapshot>(stream, Json);
    }

    public static void Write(string directory, AckSnapshot snapshot)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Name);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            JsonSerializer.Serialize(stream, snapshot, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
