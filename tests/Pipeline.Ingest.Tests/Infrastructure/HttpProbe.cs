using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

public static class HttpProbe
{
    public static HttpClient Client(TestPipeline pipeline) =>
        new() { BaseAddress = pipeline.HttpUri, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Asserts the process still serves HTTP (<c>/healthz</c> answers 200).</summary>
    public static async Task AssertStillUpAsync(TestPipeline pipeline)
    {
        using var client = Client(pipeline);
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
