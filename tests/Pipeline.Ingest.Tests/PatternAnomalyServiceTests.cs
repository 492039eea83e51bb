using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.Ingest.Tests;

/// <summary>Anomalies turned into <c>pattern_anomaly</c> events that flow through the graph to the files.</summary>
public sealed class PatternAnomalyServiceTests
{
    [Fact]
    public async Task EachWindowsAnomaliesReachEverySinkAsWarningEventsThatAreNotMined()
    {
        var (pipeline, sink, time) = await PatternEndpointsTests.StartAsync();
        await using var running = pipeline;
        await PatternEndpointsTests.SendAsync(pipeline, sink, "r1", "hydraulic pressure low on lift 2");

        time.Advance(TimeSpan.FromMinutes(1)); // the service's window timer fires
        await sink.WaitForAsync(events => events.Any(e => e.Protocol == "internal"));

        var anomaly = Assert.Single(sink.Events, e => e.Protocol == "internal");
        Assert.Equal("r1", anomaly.RobotId);
        Assert.StartsWith("New log pattern ", anomaly.Msg);
        Assert.Equal(1, pipeline.Services.GetRequiredService<TemplateMiner>().TemplateCount);
        Assert.Equal(1, pipeline.Metric("pipeline_component_events_total", "pattern_anomalies", "out"));
    }

    [Fact]
    public async Task AnomaliesPendingAtShutdownAreWrittenToTheFilesWithTheirFields()
    {
        var (pipeline, sink, _) = await PatternEndpointsTests.StartAsync();
        await using var running = pipeline;
        await PatternEndpointsTests.SendAsync(pipeline, sink, "r1", "conveyor belt jammed at station 4");
        await PatternEndpointsTests.SendAsync(pipeline, sink, "r2", "vacuum gripper lost part");

        await pipeline.StopAsync(); // no window closed yet: the last tick at shutdown hands them out

        var lines = pipeline.ReadLogLines().ConvertAll(l => JsonDocument.Parse(l));
        var robotEvents = lines.Where(l => !IsAnomaly(l)).ToList();
        var anomalies = lines.Where(IsAnomaly).ToList();
        Assert.Equal(2, robotEvents.Count);
        Assert.Equal(2, anomalies.Count);
        foreach (var robotEvent in robotEvents)
        {
            var root = robotEvent.RootElement;
            var anomaly = Assert.Single(anomalies, a => a.RootElement.GetProperty("robot_id").GetString() == root.GetProperty("robot_id").GetString()).RootElement;
            Assert.Equal("WARNING", anomaly.GetProperty("level").GetString());
            Assert.Equal("internal", anomaly.GetProperty("protocol").GetString());
            Assert.False(anomaly.TryGetProperty("template_id", out _)); // not mined: no template of its own
            var attrs = anomaly.GetProperty("attrs");
            Assert.Equal("new_template", attrs.GetProperty("anomaly").GetString());
            Assert.Equal(root.GetProperty("template_id").GetUInt64(), attrs.GetProperty("template_id").GetUInt64());
            Assert.Equal(root.GetProperty("template_id_str").GetString(), attrs.GetProperty("template_id_str").GetString());
            Assert.Equal(root.GetProperty("template").GetString(), attrs.GetProperty("template").GetString());
            Assert.Equal(1, attrs.GetProperty("value").GetDouble());
            Assert.Contains(root.GetProperty("template").GetString()!, anomaly.GetProperty("msg").GetString());
        }

        var detector = pipeline.Services.GetRequiredService<PatternAnomalyDetector>();
        Assert.Equal(2, detector.Emitted(PatternAnomalyKind.NewTemplate));
        Assert.Equal(2, pipeline.Services.GetRequiredService<TemplateMiner>().TemplateCount);
    }

    private static bool IsAnomaly(JsonDocument line) =>
        line.RootElement.TryGetProperty("type", out var type) && type.GetString() == PatternAnomalyKinds.EventType;
}
