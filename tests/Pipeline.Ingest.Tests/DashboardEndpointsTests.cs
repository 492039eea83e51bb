using System.Net;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><c>GET /</c> and <c>/ui/{file}</c>: the dashboard's embedded files, beside the routes that were there before.</summary>
public sealed class DashboardEndpointsTests
{
    private static Task<TestPipeline> StartAsync(Dictionary<string, string>? settings = null) => TestPipeline.StartAsync(settings ?? []);

    [Theory]
    [InlineData("/", "text/html", "<script src=\"/ui/app.js\">")]
    [InlineData("/ui/app.js", "text/javascript", "/api/robots")]
    [InlineData("/ui/app.css", "text/css", "font")]
    public async Task TheDashboardsFilesAreServedFromTheExecutable(string path, string type, string content)
    {
        await using var pipeline = await StartAsync();
        using var client = HttpProbe.Client(pipeline);
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task AFileNotInTheDashboardIs404()
    {
        await using var pipeline = await StartAsync();
        using var client = HttpProbe.Client(pipeline);
        using var response = await client.GetAsync("/ui/missing.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheSameETagAgainIs304WithoutABody()
    {
        await using var pipeline = await StartAsync();
        using var client = HttpProbe.Client(pipeline);
        using var first = await client.GetAsync("/ui/app.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/metrics", HttpStatusCode.OK)]
    [InlineData("/api/robots", HttpStatusCode.OK)]
    [InlineData("/api/patterns", HttpStatusCode.OK)]
    [InlineData("/ingest", HttpStatusCode.BadRequest)] // not a WebSocket request: still the ingest endpoint, not the page
    public async Task TheOtherRoutesAreUnchanged(string path, HttpStatusCode expected)
    {
        await using var pipeline = await StartAsync();
        using var client = HttpProbe.Client(pipeline);
        using var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("<!doctype html>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithOpsTokensThePageLoadsWithoutOneAndItsApiCallsStillNeedIt()
    {
        using var directory = new TempDirectory();
        var tokens = directory.Write("ops.json", TokensFile.Json(("alice", "alice-ops-token")));
        await using var pipeline = await StartAsync(new() { ["Auth:OpsTokensPath"] = tokens });
        using var client = HttpProbe.Client(pipeline);

        using var page = await client.GetAsync("/");
        using var script = await client.GetAsync("/ui/app.js");
        using var api = await client.GetAsync("/api/robots");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}
