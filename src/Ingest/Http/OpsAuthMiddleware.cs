using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Auth;

namespace Pipeline.Ingest.Http;

/// <summary>
/// With ops tokens configured (<c>Pipeline:Auth:OpsTokensPath</c>), every <c>/api/…</c> request needs
/// <c>Authorization: Bearer &lt;ops token&gt;</c>: without one, 401 with <c>WWW-Authenticate: Bearer</c>;
/// an address that sent <c>MaxFailures</c> bad tokens within <c>FailureWindow</c> gets 429 with
/// <c>Retry-After</c> for <c>BlockFor</c>, good token or not. <c>/healthz</c>, <c>/readyz</c>,
/// <c>/metrics</c> and <c>/ingest</c> (robots have their own tokens) stay open. A wrong token is also a
/// <c>security</c> event in the stream.
/// </summary>
/// <remarks>
/// 429 rather than 403 for a blocked address: the refusal is about the rate of attempts and ends by
/// itself, and clients already know to wait <c>Retry-After</c>. Only a wrong token counts towards the
/// block: a request without one guesses nothing (a forgotten header must not lock an operator out).
/// </remarks>
internal sealed class OpsAuthMiddleware
{
    private const string Protocol = "http";
    private const string Hint = "send Authorization: Bearer <ops token> (a token of Pipeline:Auth:OpsTokensPath; see the README, Auth)";
    private readonly RequestDelegate _next;
    private readonly OpsTokenStore _tokens;
    private readonly AuthFailureLimiter _limiter;
    private readonly AuthOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Robots.SessionEvents _events;

    public OpsAuthMiddleware(RequestDelegate next, OpsTokenStore tokens, AuthFailureLimiter limiter, AuthOptions options,
        PipelineMetrics metrics, ILoggerFactory loggers, Robots.SessionEvents events)
    {
        _events = events;
        _next = next;
        _tokens = tokens;
        _limiter = limiter;
        _options = options;
        _metrics = metrics;
        _logger = loggers.CreateLogger("Pipeline.Auth");
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_tokens.Enabled || !IsApi(context))
        {
            return _next(context);
        }

        var remote = context.Connection.RemoteIpAddress ?? IPAddress.None;
        var blocked = _limiter.RetryAfter(remote);
        if (blocked > TimeSpan.Zero)
        {
            Count("blocked");
            var seconds = (long)Math.Ceiling(blocked.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Reject(context, 429, $"too many failed ops-token attempts from {remote}: try again in {seconds} s.");
        }

        var token = BearerToken.Parse(context.Request.Headers.Authorization);
        if (token is null)
        {
            Count("missing_token");
            return Reject(context, 401, $"this API needs an ops token: {Hint}.");
        }

        if (!_tokens.Verify(token, out _))
        {
            Count("ops_token");
            _limiter.Failed(remote);
            AuthLog.OpsTokenRejected(_logger, context.Request.Method, context.Request.Path, remote.ToString(), "not a valid ops token");
            _events.AuthFailed(Protocol, remote.ToString(), null, "ops_token", $"not a valid ops token for {context.Request.Method} {context.Request.Path}");
            if (_limiter.IsBlocked(remote))
            {
                AuthLog.AddressBlocked(_logger, remote.ToString(), _options.BlockFor, _options.MaxFailures, _options.FailureWindow);
            }

            return Reject(context, 401, $"the ops token is not valid: {Hint}.");
        }

        _limiter.Succeeded(remote);
        return _next(context);
    }

    /// <summary>
    /// By path, and by the endpoint routing picked: the path test alone could be dodged by a spelling that
    /// routing still maps to an API endpoint.
    /// </summary>
    private static bool IsApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ||
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimStart('/').StartsWith("api", StringComparison.OrdinalIgnoreCase) == true;

    private void Count(string reason) => _metrics.AuthFailures.WithLabels(Protocol, reason).Inc();

    private static Task Reject(HttpContext context, int status, string message)
    {
        if (status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return ApiResponses.Error(status, message).ExecuteAsync(context);
    }
}
