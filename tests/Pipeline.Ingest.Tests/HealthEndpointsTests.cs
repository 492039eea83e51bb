using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Graph;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary><c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> over real HTTP.</summary>
public sealed class HealthEndpointsTests
{
    /// <summary>The metric names DESIGN.md promises on <c>/metrics</c>.</summary>
    public static readonly TheoryData<string> DesignMetrics =
    [
        "pipeline_ingest_events_total",
        "pipeline_ingest_bytes_total",
        "pipeline_ingest_connections",
        "pipeline_component_events_total",
        "pipeline_component_discarded_events_total",
        "pipeline_component_errors_total",
        "pipeline_sink_written_events_total",
        "pipeline_sink_spooled_events_total",
        "pipeline_block_queue_depth",
    ];

    [Fact]
    public async Task HealthzAnswers200WhileTheProcessIsUp()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task ReadyzAnswers200WithTheGraphAndEverySinkAsJson()
    {
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(new RecordingSink()));
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.Equal("running", root.GetProperty("graph").GetString());
        var sinks = root.GetProperty("sinks");
        Assert.Equal("healthy", sinks.GetProperty("files").GetString());
        Assert.Equal("healthy", sinks.GetProperty("recording").GetString());
    }

    [Fact]
    public async Task ReadyzStaysReadyWhileASinkIsSpooling()
    {
        var spooling = new RecordingSink("spooling") { Health = SinkHealth.Spooling };
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(spooling));
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("spooling", json.RootElement.GetProperty("sinks").GetProperty("spooling").GetString());
    }

    [Fact]
    public async Task ReadyzAnswers503WhileASinkHasNeverReachedItsDestination()
    {
        var unreachable = new RecordingSink("misconfigured") { Health = SinkHealth.Unreachable };
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(unreachable));
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unreachable", json.RootElement.GetProperty("sinks").GetProperty("misconfigured").GetString());
    }

    [Fact]
    public async Task ReadyzAnswers503NamingAFailedSink()
    {
        var failed = new RecordingSink("broken") { Health = SinkHealth.Failed };
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(failed));
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("failed", json.RootElement.GetProperty("sinks").GetProperty("broken").GetString());
        Assert.Equal("healthy", json.RootElement.GetProperty("sinks").GetProperty("files").GetString());
    }

    [Theory]
    [MemberData(nameof(DesignMetrics))]
    public async Task MetricsOfAFreshServiceIncludeEveryNameFromTheDesign(string name)
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var text = await ScrapeAsync(pipeline);

        Assert.Contains($"# TYPE {name} ", text);
    }

    [Fact]
    public async Task MetricsAfterTrafficShowTheDesignNamesWithTheirLabels()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("r", "one") + Ndjson.Line("r", "two") + "not json\n"));

        var text = await ScrapeAsync(pipeline);

        Assert.Contains("pipeline_ingest_events_total{protocol=\"tcp\"} 3", text);
        Assert.Contains("pipeline_ingest_bytes_total{protocol=\"tcp\"}", text);
        Assert.Contains("pipeline_ingest_connections{protocol=\"tcp\"} 0", text);
        Assert.Contains("pipeline_component_events_total{component=\"parse\",direction=\"in\"}", text);
        Assert.Contains("pipeline_component_events_total{component=\"parse\",direction=\"out\"}", text);
        Assert.Contains("pipeline_component_discarded_events_total{component=\"parse\",reason=\"malformed_json\"} 1", text);
        Assert.Contains("pipeline_block_queue_depth{block=", text);
        foreach (var name in DesignMetrics)
        {
            Assert.Contains($"# TYPE {name} ", text);
        }
    }

    [Fact]
    public async Task MetricsAreServedInPrometheusTextFormat()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var client = HttpProbe.Client(pipeline);

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType?.ToString());
    }

    private static async Task<string> ScrapeAsync(TestPipeline pipeline)
    {
        using var client = HttpProbe.Client(pipeline);
        return await client.GetStringAsync("/metrics");
    }
}
