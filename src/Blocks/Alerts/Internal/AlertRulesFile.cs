using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// Watches <c>RulesPath</c> (a <see cref="WatchedFile"/>, on notifications only) and reloads it after
/// <c>ReloadDebounce</c> of quiet (a timer on the engine's <see cref="TimeProvider"/>, so tests drive it with
/// a fake clock). A valid file replaces the file's rules; an invalid one keeps the rules in force and logs
/// every error with its rule and key.
/// </summary>
internal sealed class AlertRulesFile : IDisposable
{
    private readonly string _path;
    private readonly AlertRulesLoader _loader;
    private readonly IReadOnlyList<CompiledRule> _configured;
    private readonly AlertEngine _engine;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly ILogger _logger;
    private WatchedFile? _watched;

    public AlertRulesFile(string path, AlertRulesLoader loader, IReadOnlyList<CompiledRule> configured, AlertEngine engine,
        TimeProvider time, TimeSpan debounce, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _loader = loader;
        _configured = configured;
        _engine = engine;
        _time = time;
        _debounce = debounce;
        _logger = logger;
    }

    /// <summary>Raised when the watcher saw a change (the reload follows after the debounce), for tests.</summary>
    public event Action? ChangeSeen;

    /// <summary>Raised after every reload attempt with its outcome.</summary>
    public event Action<AlertRulesCheck>? Reloaded;

    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _watched = new WatchedFile(_path, _time, Timeout.InfiniteTimeSpan, _debounce, OnQuiet);
        _watched.ChangeSeen += () => ChangeSeen?.Invoke();
    }

    /// <summary>Reads the file now; false (and the old rules kept) when it is invalid.</summary>
    public bool Reload()
    {
        var check = File.Exists(_path)
            ? _loader.CheckFile(_path, _configured.Select(r => r.Name))
            : new AlertRulesLoader().Check("{}"u8.ToArray(), Path.GetFileName(_path));
        if (check.IsValid)
        {
            _engine.ReplaceRules([.. _configured, .. check.Compiled]);
            AlertsLog.RulesLoaded(_logger, _configured.Count + check.Compiled.Count, check.Compiled.Count, _path);
        }
        else
        {
            foreach (var error in check.Errors)
            {
                AlertsLog.RulesFileInvalid(_logger, _path, error);
            }
        }

        Reloaded?.Invoke(check);
        return check.IsValid;
    }

    public void Dispose() => _watched?.Dispose();

    private void OnQuiet()
    {
        try
        {
            Reload();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AlertsLog.RulesFileInvalid(_logger, _path, ex.Message);
        }
    }
}
