using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Robots;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Robots;

/// <summary>The <c>/api/robots</c> surface as the tests read it: status code and parsed body.</summary>
internal static class RobotApi
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(TestPipeline pipeline, string path)
    {
        using var client = HttpProbe.Client(pipeline);
        using var response = await client.GetAsync(path);
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestPipeline pipeline, string path, string json)
    {
        using var client = HttpProbe.Client(pipeline);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Completes once a connection of <paramref name="robotId"/> has joined its presence (now or already).</summary>
    public static async Task WaitAttachedAsync(TestPipeline pipeline, string robotId)
    {
        var registry = pipeline.Services.GetRequiredService<RobotRegistry>();
        var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAttached(RobotEntry robot, RobotSession session)
        {
            if (robot.Id == robotId)
            {
                attached.TrySetResult();
            }
        }

        registry.SessionAttached += OnAttached;
        try
        {
            if (registry.Find(robotId) is { Online: true })
            {
                return;
            }

            await attached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            registry.SessionAttached -= OnAttached;
        }
    }

    /// <summary>The robot's entry in <c>GET /api/robots</c>.</summary>
    public static async Task<JsonElement> RobotAsync(TestPipeline pipeline, string robotId)
    {
        var (status, body) = await GetAsync(pipeline, "/api/robots");
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("robots").EnumerateArray().Single(r => r.GetProperty("robot_id").GetString() == robotId);
    }

    /// <summary>The lines of the rolling files whose <c>event</c> attribute is one of the lifecycle ones (read after stop).</summary>
    public static List<JsonElement> LifecycleEvents(TestPipeline pipeline)
    {
        var events = new List<JsonElement>();
        foreach (var line in pipeline.ReadLogLines())
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("protocol", out var protocol) && protocol.GetString() == "internal")
            {
                events.Add(root.Clone());
            }
        }

        return events;
    }

    public static string Event(JsonElement e) => e.GetProperty("attrs").GetProperty("event").GetString()!;

    private static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
