using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// The ops users' tokens for <c>/api/*</c> (<c>Pipeline:Auth:OpsTokensPath</c>: user name → SHA-256 of the
/// token), reloaded when the file changes; a file that is invalid on reload keeps the tokens in force.
/// </summary>
public sealed class OpsTokenStore : IDisposable
{
    private readonly WatchedTokenFile? _file;

    /// <summary>
    /// Loads the file now. <paramref name="path"/> null or empty: ops auth is off. Throws
    /// <see cref="FormatException"/> when the file is invalid.
    /// </summary>
    public OpsTokenStore(string? path, TimeProvider time, ILogger logger)
        => _file = WatchedTokenFile.Open("Ops", path, time, logger);

    /// <summary>Ops auth is on: a tokens file is configured.</summary>
    public bool Enabled => _file is not null;

    /// <summary>The file's reloads, for tests; null when ops auth is off.</summary>
    internal WatchedTokenFile? File => _file;

    /// <summary>
    /// Whether <paramref name="token"/> is an ops user's; <paramref name="name"/> is that user. True with no
    /// name when ops auth is off. Every entry is compared, in constant time, so the answer takes as long
    /// whichever user (if any) the token is.
    /// </summary>
    public bool Verify(string? token, out string? name)
    {
        name = null;
        if (_file is null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[TokenHash.Size];
        TokenHash.Compute(token, hash);
        foreach (var (user, expected) in _file.Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                name ??= user;
            }
        }

        return name is not null;
    }

    public void Dispose() => _file?.Dispose();
}
