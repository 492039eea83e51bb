using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// The HTTP client of the verbs that call a running service's <c>/api</c> (<c>alerts list</c>, and the
/// <c>robots</c> verbs): the <c>--url</c> and <c>--token</c> options they all take, the ops token
/// sent as <c>Authorization: Bearer</c>, and one-line errors for what usually goes wrong.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    /// <summary>The environment variable <c>--token</c> defaults to.</summary>
    public const string TokenVariable = "PIPELINE_TOKEN";

    /// <summary>What a 401 to a request without a token says.</summary>
    public const string TokenRequired = "the service requires an ops token: pass --token or set " + TokenVariable;

    private readonly HttpClient _http;
    private readonly bool _hasToken;

    private ApiClient(HttpClient http, bool hasToken)
    {
        _http = http;
        _hasToken = hasToken;
    }

    /// <summary>The service's base address.</summary>
    public Uri BaseUrl => _http.BaseAddress!;

    /// <summary>The longest a request may take unless a verb asks for longer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client of the service at <paramref name="baseUrl"/>; <paramref name="token"/> (an ops token, or null) goes with every request.
    /// <paramref name="timeout"/>: how long a request may take, by default <see cref="DefaultTimeout"/> (a robot command waits longer).
    /// </summary>
    public static ApiClient Create(Uri baseUrl, string? token, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = timeout ?? DefaultTimeout };
        var hasToken = token is { Length: > 0 };
        if (hasToken)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new ApiClient(http, hasToken);
    }

    /// <summary><c>--url</c>: the service's address, by default the embedded default's.</summary>
    public static Option<Uri> UrlOption() => new("--url")
    {
        Description = "The running service's HTTP address (Pipeline:Ingest:HttpUrl).",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
        // System.CommandLine 2 has no converter for Uri: without this, any --url threw.
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                return url;
            }

            result.AddError($"--url must be an http:// or https:// address such as http://127.0.0.1:5080 (got '{text}').");
            return null;
        },
    };

    /// <summary><c>--token</c>: the ops token, by default <c>$PIPELINE_TOKEN</c>.</summary>
    public static Option<string?> TokenOption() => new("--token")
    {
        Description = "An ops token, sent as Authorization: Bearer (needed when the service sets Pipeline:Auth:OpsTokensPath). " +
            $"Default: ${TokenVariable}, which keeps the token out of the shell history and the process list.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token.Trim() : null,
    };

    /// <summary>Sends a request to <paramref name="path"/> (<c>/api/alerts</c>); never throws for a network or HTTP failure.</summary>
    public async Task<ApiReply> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken, HttpContent? content = null)
    {
        var address = new Uri(BaseUrl, path);
        using var request = new HttpRequestMessage(method, address) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ApiReply(null, null, $"cannot reach {address}: {ex.Message} (is the service running? pass --url)");
        }

        using (response)
        {
            var body = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new ApiReply(response.StatusCode, body, null);
            }

            var reason = body?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var e)
                ? e.GetString()
                : response.ReasonPhrase;
            var error = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized when !_hasToken => TokenRequired,
                HttpStatusCode.Unauthorized => $"the service rejected the ops token: check --token or {TokenVariable} ({reason})",
                _ => $"{address} answered {(int)response.StatusCode}: {reason}",
            };
            return new ApiReply(response.StatusCode, body, error);
        }
    }

    /// <summary>POSTs <paramref name="json"/> (a JSON document) to <paramref name="path"/>; as <see cref="SendAsync"/>, never throws for a network or HTTP failure.</summary>
    public async Task<ApiReply> PostJsonAsync(string path, string json, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await SendAsync(HttpMethod.Post, path, cancellationToken, content).ConfigureAwait(false);
    }

    /// <summary>GETs <paramref name="path"/> as text (<c>/metrics</c>); the text, or a one-line error. Never throws for a network or HTTP failure.</summary>
    public async Task<(string? Text, string? Error)> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        var address = new Uri(BaseUrl, path);
        try
        {
            using var response = await _http.GetAsync(address, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? (text, null) : (null, $"{address} answered {(int)response.StatusCode}: {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, $"cannot reach {address}: {ex.Message} (is the service running? pass --url)");
        }
    }

    public void Dispose() => _http.Dispose();

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException)
        {
            return null; // not JSON (a proxy's page): the status line says enough
        }
    }
}
