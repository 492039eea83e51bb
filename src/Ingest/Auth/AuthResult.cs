namespace Pipeline.Ingest.Auth;

/// <summary>
/// The outcome of <see cref="RobotTokenStore.Verify"/>. Anything but <see cref="Ok"/> is a rejection; the
/// kinds are for logs and <c>pipeline_auth_failures_total{reason}</c>, not for the robot: it should be told
/// the same thing whichever it is, or an attacker learns which robot ids exist.
/// </summary>
public enum AuthResult
{
    /// <summary>The token is the robot's (or robot auth is off).</summary>
    Ok,

    /// <summary>No token was sent. Metric reason <c>missing_token</c>.</summary>
    MissingToken,

    /// <summary>The robot id is not in the tokens file. Metric reason <c>unknown_robot</c>.</summary>
    UnknownRobot,

    /// <summary>A token was sent, but it is not the robot's. Metric reason <c>bad_token</c>.</summary>
    BadToken,
}
