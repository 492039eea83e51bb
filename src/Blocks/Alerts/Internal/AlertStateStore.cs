using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The alert state under <c>data/alerts/</c>: <c>state.json</c>, a snapshot of every held alert, and
/// <c>state.journal</c>, the alerts that changed since (one JSON line each; an alert that ended is a removal), so a
/// tick writes what changed instead of a fleet's worth of alerts — with ten thousand firing alerts the snapshot is
/// megabytes, a tick's changes a few lines. The journal's first line names the snapshot generation it extends: a
/// journal of another generation (a crash between writing a snapshot and removing the old journal) is ignored, and a
/// line cut short by a crash ends the replay there. Each write is a temporary file moved over the old one (the
/// snapshot) or an append (the journal); neither is fsynced, like the rolling files between their group commits.
/// </summary>
internal sealed class AlertStateStore
{
    public const string SnapshotName = "state.json";
    public const string JournalName = "state.journal";

    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly string _directory;
    private readonly ILogger _logger;

    public AlertStateStore(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        SnapshotPath = Path.Combine(directory, SnapshotName);
        JournalPath = Path.Combine(directory, JournalName);
    }

    public string SnapshotPath { get; }

    public string JournalPath { get; }

    /// <summary>Replaces the snapshot, then removes the journal it includes; false (logged) when either failed.</summary>
    public bool WriteSnapshot(AlertStateFile file)
    {
        try
        {
            Directory.CreateDirectory(_directory);
            var temporary = SnapshotPath + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                JsonSerializer.Serialize(stream, file, AlertStateJson.Default.AlertStateFile); // streamed: a big snapshot is no big array
            }

            File.Move(temporary, SnapshotPath, overwrite: true);
            File.Delete(JournalPath);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AlertsLog.StateSaveFailed(_logger, SnapshotPath, ex);
            return false;
        }
    }

    /// <summary>Appends changed alerts to the journal of snapshot <paramref name="generation"/>; false (logged) when it failed.</summary>
    public bool Append(long generation, IReadOnlyList<AlertStateEntry> entries)
    {
        try
        {
            Directory.CreateDirectory(_directory);
            using var stream = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
            using var writer = new Utf8JsonWriter(stream); // one writer for every line
            if (stream.Position == 0)
            {
                JsonSerializer.Serialize(writer, new AlertJournalHeader { Generation = generation }, AlertStateJson.Default.AlertJournalHeader);
                EndLine(writer, stream);
            }

            foreach (var entry in entries)
            {
                JsonSerializer.Serialize(writer, entry, AlertStateJson.Default.AlertStateEntry);
                EndLine(writer, stream);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AlertsLog.StateSaveFailed(_logger, JournalPath, ex);
            return false;
        }
    }

    /// <summary>
    /// The held alerts as last written: the snapshot's, with the journal of its generation applied in order (a later
    /// line for the same rule and group replaces an earlier one; a removal drops it). Null when there is no
    /// snapshot, or it cannot be read (logged: starting without it).
    /// </summary>
    public AlertStateSnapshot? Load()
    {
        if (!File.Exists(SnapshotPath))
        {
            return null;
        }

        AlertStateFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(SnapshotPath), AlertStateJson.Default.AlertStateFile);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            AlertsLog.StateLoadFailed(_logger, SnapshotPath, ex);
            return null;
        }

        var generation = file?.Generation ?? 0;
        var alerts = new Dictionary<(string Rule, string Signature, string Key), AlertStateEntry>();
        foreach (var entry in file?.Alerts ?? [])
        {
            alerts[(entry.Rule, entry.Signature, entry.Key)] = entry;
        }

        var replayed = Replay(generation, alerts);
        return new AlertStateSnapshot(generation, [.. alerts.Values], replayed);
    }

    private int Replay(long generation, Dictionary<(string, string, string), AlertStateEntry> alerts)
    {
        string[] lines;
        try
        {
            if (!File.Exists(JournalPath))
            {
                return 0;
            }

            lines = File.ReadAllLines(JournalPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AlertsLog.StateLoadFailed(_logger, JournalPath, ex);
            return 0;
        }

        if (lines.Length == 0 || Parse(lines[0], AlertStateJson.Default.AlertJournalHeader) is not { } header || header.Generation != generation)
        {
            return 0; // of an older snapshot (or not a journal): the snapshot holds what it said
        }

        var replayed = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            if (Parse(lines[i], AlertStateJson.Default.AlertStateEntry) is not { } entry)
            {
                AlertsLog.StateJournalCut(_logger, JournalPath, i + 1, lines.Length - i);
                break;
            }

            var key = (entry.Rule, entry.Signature, entry.Key);
            if (entry.Removed)
            {
                alerts.Remove(key);
            }
            else
            {
                alerts[key] = entry;
            }

            replayed++;
        }

        return replayed;
    }

    /// <summary>Ends a journal line: what the writer holds, then the newline, and the writer ready for the next value.</summary>
    private static void EndLine(Utf8JsonWriter writer, Stream stream)
    {
        writer.Flush();
        stream.Write(NewLine);
        writer.Reset(stream);
    }

    private static T? Parse<T>(string line, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(line, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
