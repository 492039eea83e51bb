using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// Options of robot and ops authentication (<c>Pipeline:Auth</c>). Both are off by default (the embedded
/// default needs no tokens); each is on when its tokens file is configured. A tokens file is a JSON object of
/// name → lowercase hex SHA-256 of the token (<c>pipeline auth hash-token</c> prints it).
/// </summary>
public sealed class AuthOptions : IValidatedOptions
{
    /// <summary>Most failures <see cref="MaxFailures"/> may be: the limiter keeps that many timestamps per address.</summary>
    internal const int MaxFailuresLimit = 100;

    /// <summary>robot_id → SHA-256 of the robot's token; reloaded on change. Default: none (robot auth off).</summary>
    public string? RobotTokensPath { get; set; }

    /// <summary>Ops user name → SHA-256 of the ops token, required on <c>/api/*</c>; reloaded on change. Default: none (<c>/api</c> open).</summary>
    public string? OpsTokensPath { get; set; }

    /// <summary>Failed authentications from one remote address within <see cref="FailureWindow"/> that block it. Default 5.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>The window <see cref="MaxFailures"/> is counted in (sliding). Default 1 min.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a blocked address is rejected, whatever it sends. Default 5 min.</summary>
    public TimeSpan BlockFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Robot auth is on (an empty value, as an empty environment variable gives, is off).</summary>
    public bool RobotAuthEnabled => RobotTokensPath is { Length: > 0 };

    /// <summary>Ops auth on <c>/api/*</c> is on.</summary>
    public bool OpsAuthEnabled => OpsTokensPath is { Length: > 0 };

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(MaxFailures is >= 1 and <= MaxFailuresLimit, nameof(MaxFailures), $"must be 1 to {MaxFailuresLimit} (got {MaxFailures}).");
        errors.Check(FailureWindow > TimeSpan.Zero, nameof(FailureWindow), $"must be positive, e.g. 00:01:00 (got {FailureWindow}).");
        errors.Check(BlockFor > TimeSpan.Zero, nameof(BlockFor), $"must be positive, e.g. 00:05:00 (got {BlockFor}).");
        CheckTokensFile(errors, nameof(RobotTokensPath), RobotTokensPath, "robot_id");
        CheckTokensFile(errors, nameof(OpsTokensPath), OpsTokensPath, "ops user name");
    }

    private static void CheckTokensFile(OptionsErrors errors, string key, string? path, string names)
    {
        if (path is not { Length: > 0 })
        {
            return;
        }

        if (!File.Exists(path))
        {
            errors.Add(key, $"'{Path.GetFullPath(path)}' does not exist (a JSON object of {names} → SHA-256 hex of the token, " +
                "e.g. {\"robot-7\":\"9f86d0…\"}; `pipeline auth hash-token` prints the hash).");
            return;
        }

        var problems = new List<string>();
        if (TokenFile.Load(path, problems) is null)
        {
            foreach (var problem in problems)
            {
                errors.Add(key, $"{Path.GetFullPath(path)}: {problem}");
            }
        }
    }
}
