using System.Net;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Auth;

/// <summary>
/// The robot front ends' one check of a connecting robot: its address is not blocked, and its token is the one
/// in <c>Pipeline:Auth:RobotTokensPath</c> for its robot_id. Every refusal is counted
/// (<c>pipeline_auth_failures_total{protocol,reason}</c>) and logged and sent into the stream as a <c>security</c> event; failures count
/// towards the address's block.
/// </summary>
internal sealed class RobotAuthenticator
{
    private readonly RobotTokenStore _tokens;
    private readonly AuthFailureLimiter _limiter;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Robots.SessionEvents? _events;

    /// <param name="events">Where refusals go as <c>security</c> events into the stream; null: logged and counted only.</param>
    public RobotAuthenticator(RobotTokenStore tokens, AuthFailureLimiter limiter, PipelineMetrics metrics, ILogger logger, Robots.SessionEvents? events = null)
    {
        _tokens = tokens;
        _limiter = limiter;
        _metrics = metrics;
        _logger = logger;
        _events = events;
    }

    /// <summary>False when robot tokens are not configured: every robot is let in.</summary>
    public bool Enabled => _tokens.Enabled;

    /// <returns>null when the robot may connect, else the reason to give it.</returns>
    public string? Check(string protocol, IPAddress remote, string? robotId, string? token)
    {
        if (!_tokens.Enabled)
        {
            return null;
        }

        string reason;
        string? message;
        if (_limiter.IsBlocked(remote))
        {
            (reason, message) = ("blocked", $"too many failed attempts from {remote}: try again in {(int)Math.Ceiling(_limiter.RetryAfter(remote).TotalSeconds)} s");
        }
        else if (string.IsNullOrEmpty(robotId))
        {
            (reason, message) = ("missing_token", "no robot_id: pass ?robot_id=<id> with the token");
        }
        else
        {
            (reason, message) = _tokens.Verify(robotId, token) switch
            {
                AuthResult.Ok => ("", null),
                AuthResult.MissingToken => ("missing_token", "no token: send Authorization: Bearer <token> or ?token=<token>"),
                AuthResult.UnknownRobot => ("unknown_robot", "invalid token"),
                _ => ("bad_token", "invalid token"),
            };
        }

        if (message is null)
        {
            _limiter.Succeeded(remote);
            return null;
        }

        return Reject(protocol, remote, robotId, reason, message);
    }

    /// <summary>A robot that did not say who it is in a usable way (no hello, not JSON): counted as <c>missing_token</c>.</summary>
    public string Refuse(string protocol, IPAddress remote, string? robotId, string message) =>
        Reject(protocol, remote, robotId, "missing_token", message);

    private string Reject(string protocol, IPAddress remote, string? robotId, string reason, string message)
    {
        // A missing token is a misconfigured robot, not a guess: it does not count towards the block.
        if (reason is "unknown_robot" or "bad_token")
        {
            _limiter.Failed(remote);
        }

        _metrics.AuthFailures.WithLabels(protocol, reason).Inc();
        _metrics.IngestConnectionsRejected.WithLabels(protocol, "auth").Inc();
        AuthLog.RobotRejected(_logger, protocol, remote.ToString(), robotId ?? "", message);
        _events?.AuthFailed(protocol, remote.ToString(), robotId, reason, message);
        return message;
    }
}
