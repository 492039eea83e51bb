using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Http;

/// <summary><c>/healthz</c> (process up), <c>/readyz</c> (graph running, sinks healthy or spooling), <c>/metrics</c>.</summary>
internal static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (PipelineGraph graph) =>
        {
            var sinks = new Dictionary<string, string>();
            var ready = graph.IsRunning;
            foreach (var sink in graph.Sinks.Where(s => s.IsDestination))
            {
                sinks[sink.Name] = sink.Health.ToString().ToLowerInvariant();
                ready &= sink.Health is not (SinkHealth.Failed or SinkHealth.Unreachable);
            }

            var body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ready"] = ready,
                ["graph"] = graph.IsRunning ? "running" : "stopped",
                ["sinks"] = sinks,
            });
            return Results.Text(body + "\n", "application/json", statusCode: ready ? 200 : 503);
        });
        app.MapGet("/metrics", async (HttpContext context, PipelineMetrics metrics) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }
}
