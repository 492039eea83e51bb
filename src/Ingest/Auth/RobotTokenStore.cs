using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// The robots' tokens (<c>Pipeline:Auth:RobotTokensPath</c>: robot_id → SHA-256 of the token), reloaded when
/// the file changes; a file that is invalid on reload keeps the tokens in force and logs what is wrong.
/// </summary>
public sealed class RobotTokenStore : IDisposable
{
    private readonly WatchedTokenFile? _file;

    /// <summary>
    /// Loads the file now. <paramref name="path"/> null or empty: robot auth is off and every robot is
    /// <see cref="AuthResult.Ok"/>. Throws <see cref="FormatException"/> when the file is invalid
    /// (configuration validation reports that earlier, with the key).
    /// </summary>
    public RobotTokenStore(string? path, TimeProvider time, ILogger logger)
        => _file = WatchedTokenFile.Open("Robot", path, time, logger);

    /// <summary>Robot auth is on: a tokens file is configured.</summary>
    public bool Enabled => _file is not null;

    /// <summary>The file's reloads, for tests; null when robot auth is off.</summary>
    internal WatchedTokenFile? File => _file;

    /// <summary>
    /// Whether <paramref name="token"/> is <paramref name="robotId"/>'s. The hash is compared in constant
    /// time. Tell the robot the same whatever the rejection (see <see cref="AuthResult"/>).
    /// </summary>
    public AuthResult Verify(string robotId, string? token)
    {
        if (_file is null)
        {
            return AuthResult.Ok;
        }

        if (string.IsNullOrEmpty(token))
        {
            return AuthResult.MissingToken;
        }

        // Hashed before the look-up, so an unknown robot costs what a known one does.
        Span<byte> hash = stackalloc byte[TokenHash.Size];
        TokenHash.Compute(token, hash);
        if (string.IsNullOrEmpty(robotId) || !_file.Tokens.TryGetValue(robotId, out var expected))
        {
            return AuthResult.UnknownRobot;
        }

        return CryptographicOperations.FixedTimeEquals(hash, expected) ? AuthResult.Ok : AuthResult.BadToken;
    }

    public void Dispose() => _file?.Dispose();
}
