using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Blocks.Alerts;

/// <summary>
/// The silences, persisted in <c>silences.json</c> (written atomically on every change). Thread-safe: the API
/// adds and deletes, the alert engine asks at every tick. Expired silences are removed at the tick.
/// </summary>
public sealed class SilenceStore
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly object _gate = new();
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly List<(Silence Silence, Regex?[] Patterns)> _silences = [];
    private long _nextId;

    /// <summary>Silences in <paramref name="directory"/>/silences.json (loaded now; a corrupt file throws <see cref="InvalidDataException"/>), or in memory only when it is null.</summary>
    public SilenceStore(string? directory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _path = directory is null ? null : Path.Combine(directory, "silences.json");
        if (_path is not null && File.Exists(_path))
        {
            List<SilenceFileEntry>? entries;
            try
            {
                entries = JsonSerializer.Deserialize<List<SilenceFileEntry>>(File.ReadAllText(_path), Json);
            }
            catch (JsonException ex)
            {
                // Starting without them would un-mute alerts someone muted on purpose: say so instead.
                throw new InvalidDataException($"{_path} is not a valid silences file ({ex.Message}); fix or remove it.", ex);
            }

            foreach (var silence in entries ?? [])
            {
                _silences.Add((silence.ToSilence(), Compile(silence.Matchers)));
                if (long.TryParse(silence.Id, out var id))
                {
                    _nextId = Math.Max(_nextId, id);
                }
            }
        }
    }

    /// <summary>Adds a silence and returns it with its id. Throws <see cref="ArgumentException"/> for an empty matcher list or a bad regex.</summary>
    public Silence Add(Silence silence)
    {
        ArgumentNullException.ThrowIfNull(silence);
        if (silence.Matchers.Count == 0)
        {
            throw new ArgumentException("A silence needs at least one matcher.", nameof(silence));
        }

        Regex?[] patterns;
        try
        {
            patterns = Compile([.. silence.Matchers]);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Bad regex in a matcher: {ex.Message}", nameof(silence), ex);
        }

        lock (_gate)
        {
            var stored = new Silence
            {
                Id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Matchers = silence.Matchers,
                StartsAt = silence.StartsAt,
                Until = silence.Until,
                CreatedBy = silence.CreatedBy,
                Comment = silence.Comment,
            };
            _silences.Add((stored, patterns));
            Save();
            return stored;
        }
    }

    public IReadOnlyList<Silence> List()
    {
        lock (_gate)
        {
            return [.. _silences.Select(s => s.Silence)];
        }
    }

    /// <summary>False when there is no silence with that id.</summary>
    public bool Delete(string id)
    {
        lock (_gate)
        {
            var removed = _silences.RemoveAll(s => s.Silence.Id == id) > 0;
            if (removed)
            {
                Save();
            }

            return removed;
        }
    }

    /// <summary>Whether a silence in force at <paramref name="now"/> covers <paramref name="labels"/>.</summary>
    public bool IsSilenced(IReadOnlyDictionary<string, string> labels, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(labels);
        lock (_gate)
        {
            foreach (var (silence, patterns) in _silences)
            {
                if (silence.Until > now && (silence.StartsAt is null || silence.StartsAt <= now) && Covers(silence, patterns, labels))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Drops silences that ended; returns how many.</summary>
    public int RemoveExpired()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var removed = _silences.RemoveAll(s => s.Silence.Until <= now);
            if (removed > 0)
            {
                Save();
            }

            return removed;
        }
    }

    private static bool Covers(Silence silence, Regex?[] patterns, IReadOnlyDictionary<string, string> labels)
    {
        for (var i = 0; i < patterns.Length; i++)
        {
            var matcher = silence.Matchers[i];
            var value = labels.TryGetValue(matcher.Name, out var v) ? v : "";
            var ok = patterns[i] is { } regex ? SafeMatch(regex, value) : value == matcher.Value;
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SafeMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Regex?[] Compile(IReadOnlyList<SilenceMatcher> matchers) =>
        [.. matchers.Select(m => m.IsRegex ? new Regex($"^(?:{m.Value})$", RegexOptions.CultureInvariant, RegexTimeout) : null)];

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_silences.Select(s => SilenceFileEntry.From(s.Silence)).ToList(), Json));
        File.Move(temporary, _path, overwrite: true);
    }
}
