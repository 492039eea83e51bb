using System.Text;
using System.Text.Json;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// <c>data/robots/robots.journal</c>: one line per session started since the last snapshot
/// (<see cref="RobotsFile"/>), appended as the robot comes online, so that a service killed between snapshots
/// never hands out a session number twice. Each append reaches the operating system before the
/// <c>robot_online</c> event is emitted (no fsync: a process crash keeps it, a power cut may not). The snapshot
/// empties it. Not thread-safe: the registry appends, and snapshots, under one lock.
/// </summary>
internal sealed class RobotsJournal : IDisposable
{
    public const string FileName = "robots.journal";

    private readonly string _path;
    private FileStream? _file;

    public RobotsJournal(string directory)
    {
        _path = Path.Combine(directory, FileName);
    }

    /// <summary>The highest session per robot in the journal at <paramref name="directory"/>; a cut or unreadable line is skipped.</summary>
    public static Dictionary<string, long> Read(string directory)
    {
        var sessions = new Dictionary<string, long>(StringComparer.Ordinal);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return sessions;
        }

        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.TryGetProperty("robot_id", out var id) && id.GetString() is { } robot &&
                    root.TryGetProperty("session", out var session) && session.TryGetInt64(out var number))
                {
                    sessions[robot] = Math.Max(number, sessions.GetValueOrDefault(robot));
                }
            }
            catch (JsonException)
            {
                // The last line of a killed process may be cut; the lines before it stand.
            }
        }

        return sessions;
    }

    /// <summary>Records that <paramref name="robotId"/> started session <paramref name="session"/>.</summary>
    public void Append(string robotId, long session)
    {
        _file ??= Open();
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { robot_id = robotId, session }) + "\n");
        _file.Write(line);
        _file.Flush();
    }

    /// <summary>Empties the journal once a snapshot holds everything in it.</summary>
    public void Truncate()
    {
        _file ??= Open();
        _file.SetLength(0);
        _file.Flush();
    }

    public void Dispose() => _file?.Dispose();

    private FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        file.Seek(0, SeekOrigin.End);
        return file;
    }
}
