using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// A tokens file held in memory and reloaded when it changes (<see cref="WatchedFile"/>). A file that is
/// invalid on reload (or deleted) keeps the tokens in force and logs every problem with its entry: a typo
/// must not lock the fleet out, nor let it in.
/// </summary>
internal sealed class WatchedTokenFile : IDisposable
{
    /// <summary>How often the file's stamp is checked, for when notifications are lost.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    /// <summary>Quiet time after a change before the reload: an editor's several writes make one.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    private readonly string _kind;
    private readonly ILogger _logger;
    private readonly WatchedFile _watched;
    private readonly Lock _reloadLock = new();
    private FrozenDictionary<string, byte[]> _tokens = FrozenDictionary<string, byte[]>.Empty;

    /// <summary>Loads the file now; throws <see cref="FormatException"/> listing its problems when it is invalid.</summary>
    public WatchedTokenFile(string kind, string path, TimeProvider time, ILogger logger)
    {
        _kind = kind;
        _logger = logger;
        Path = System.IO.Path.GetFullPath(path);
        // Watching before the first load, so a change during it is not missed (the lock holds its reload back).
        lock (_reloadLock)
        {
            _watched = new WatchedFile(Path, time, PollInterval, Debounce, () => Reload());
            var errors = new List<string>();
            if (TokenFile.Load(Path, errors) is not { } tokens)
            {
                _watched.Dispose();
                throw new FormatException($"{kind} tokens file {Path}: {string.Join(" ", errors)}");
            }

            _tokens = tokens;
        }

        AuthLog.TokensLoaded(_logger, _kind, Path, _tokens.Count);
    }

    public string Path { get; }

    /// <summary>The file at <paramref name="path"/>, or null (that auth is off) when no path is configured.</summary>
    public static WatchedTokenFile? Open(string kind, string? path, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        return path is { Length: > 0 } ? new WatchedTokenFile(kind, path, time, logger) : null;
    }

    /// <summary>The tokens in force: name → SHA-256 of the token.</summary>
    public FrozenDictionary<string, byte[]> Tokens => Volatile.Read(ref _tokens);

    /// <summary>Raised after every reload with whether the file was taken, for tests.</summary>
    public event Action<bool>? Reloaded;

    /// <summary>Reads the file now; false (and the tokens in force kept) when it is invalid.</summary>
    public bool Reload()
    {
        bool taken;
        lock (_reloadLock)
        {
            var errors = new List<string>();
            var tokens = TokenFile.Load(Path, errors);
            taken = tokens is not null;
            if (tokens is not null)
            {
                Volatile.Write(ref _tokens, tokens);
                AuthLog.TokensLoaded(_logger, _kind, Path, tokens.Count);
            }
            else
            {
                foreach (var error in errors)
                {
                    AuthLog.TokensFileInvalid(_logger, _kind, Path, _tokens.Count, error);
                }
            }
        }

        Reloaded?.Invoke(taken);
        return taken;
    }

    public void Dispose() => _watched.Dispose();
}
