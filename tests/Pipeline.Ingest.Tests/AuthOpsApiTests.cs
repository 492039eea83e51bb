using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>With <c>Pipeline:Auth:OpsTokensPath</c> set, <c>/api/*</c> needs an ops token over real HTTP; health, metrics and ingest stay open.</summary>
public sealed class AuthOpsApiTests : IDisposable
{
    private const string Token = "alice-ops-token";
    private readonly TempDirectory _directory = new();
    private readonly string _opsTokens;

    public AuthOpsApiTests()
    {
        _opsTokens = _directory.Write("ops.json", TokensFile.Json(("alice", Token)));
    }

    public void Dispose() => _directory.Dispose();

    private Task<TestPipeline> StartAsync(int maxFailures = 5) => TestPipeline.StartAsync(new Dictionary<string, string>
    {
        ["Auth:OpsTokensPath"] = _opsTokens,
        ["Auth:MaxFailures"] = maxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static async Task<HttpResponseMessage> GetAsync(TestPipeline pipeline, string path, string? token)
    {
        using var client = HttpProbe.Client(pipeline);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString()!;
    }

    [Theory]
    [InlineData("/api/alerts")]
    [InlineData("/api/patterns")]
    [InlineData("/API/Alerts")]
    [InlineData("/api/no-such-endpoint")]
    public async Task WithoutATokenTheApiAnswers401WithJsonAndWwwAuthenticate(string path)
    {
        await using var pipeline = await StartAsync();

        using var response = await GetAsync(pipeline, path, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Contains("send Authorization: Bearer <ops token>", await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("http", "missing_token").Value);
    }

    [Fact]
    public async Task AWrongTokenAnswers401AndIsCounted()
    {
        await using var pipeline = await StartAsync();

        using var response = await GetAsync(pipeline, "/api/alerts", "guessed");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("the ops token is not valid", await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("http", "ops_token").Value);
    }

    [Fact]
    public async Task AnotherSchemeIsNoToken()
    {
        await using var pipeline = await StartAsync();
        using var client = HttpProbe.Client(pipeline);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:alice-ops-token"u8));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("http", "missing_token").Value);
    }

    [Fact]
    public async Task WithTheOpsTokenTheApiAnswersAsWithoutAuth()
    {
        await using var pipeline = await StartAsync();

        using var patterns = await GetAsync(pipeline, "/api/patterns", Token);
        using var alerts = await GetAsync(pipeline, "/api/alerts", Token);

        Assert.Equal(HttpStatusCode.OK, patterns.StatusCode);
        // Alerting is off here: the endpoint's own 404, past the auth.
        Assert.Equal(HttpStatusCode.NotFound, alerts.StatusCode);
        Assert.StartsWith("alerting is off", await ErrorOf(alerts), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    public async Task HealthAndMetricsStayOpen(string path)
    {
        await using var pipeline = await StartAsync();

        using var response = await GetAsync(pipeline, path, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task IngestStaysOutsideOpsAuth()
    {
        await using var pipeline = await StartAsync();

        // A plain GET of /ingest is not a WebSocket request: the endpoint's own 400, not the ops 401.
        using var response = await GetAsync(pipeline, "/ingest", token: null);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AfterMaxFailuresTheAddressGets429WithRetryAfterEvenWithTheRightToken()
    {
        await using var pipeline = await StartAsync(maxFailures: 2);
        (await GetAsync(pipeline, "/api/patterns", "guess-1")).Dispose();
        (await GetAsync(pipeline, "/api/patterns", "guess-2")).Dispose();

        using var response = await GetAsync(pipeline, "/api/patterns", Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Assert.Contains("too many failed ops-token attempts", await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metrics.AuthFailures.WithLabels("http", "blocked").Value);
        Assert.Equal(2, pipeline.Metrics.AuthFailures.WithLabels("http", "ops_token").Value);

        // The block is on the API only: health and metrics still answer.
        using var health = await GetAsync(pipeline, "/healthz", token: null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task MissingTokensDoNotBlock()
    {
        await using var pipeline = await StartAsync(maxFailures: 1);
        for (var i = 0; i < 3; i++)
        {
            (await GetAsync(pipeline, "/api/patterns", token: null)).Dispose();
        }

        using var response = await GetAsync(pipeline, "/api/patterns", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithoutOpsTokensTheApiIsOpen()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        using var response = await GetAsync(pipeline, "/api/patterns", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
