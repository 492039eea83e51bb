using System.Net;
using System.Text.Json;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// What <see cref="ApiClient.SendAsync"/> got: the status and JSON body, or <see cref="Error"/>, one line
/// saying what went wrong and what to do (no service there, a missing ops token, the service's own
/// <c>{"error":"…"}</c>).
/// </summary>
internal sealed class ApiReply(HttpStatusCode? status, JsonDocument? body, string? error) : IDisposable
{
    /// <summary>The HTTP status; null when the service could not be reached.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The body when it is JSON.</summary>
    public JsonDocument? Body { get; } = body;

    /// <summary>Null on success (2xx).</summary>
    public string? Error { get; } = error;

    /// <summary>The service's own <c>{"error":"…"}</c> text, without the address and status <see cref="Error"/> adds; null when the body has none.</summary>
    public string? ServiceError =>
        Body?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : null;

    public void Dispose() => Body?.Dispose();
}
