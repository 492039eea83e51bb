using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Routes;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;

namespace Pipeline.Alerts.Tests;

public sealed class AlertBlockTests
{
    private static AlertRuleOptions Errors() => new()
    {
        Name = "errors", Kind = "threshold", Window = TimeSpan.FromSeconds(10), Threshold = 1, GroupBy = ["robot_id"], Channels = ["ops"],
    };

    [Fact]
    public void ARouteWithChannelsNotifiesEachChannelOfEveryMatchingEvent()
    {
        var routes = new List<RouteOptions>
        {
            new() { Name = "customer", Match = new RouteMatchOptions { LevelCodes = [91] }, Channels = ["ops", "customer"], Continue = false },
            new() { Name = "developers", Match = new RouteMatchOptions { Levels = ["ERROR"] }, Channels = ["ops"] },
        };
        using var h = new AlertHarness(new AlertsOptions(), routes, notifier: new RecordingNotifier("ops", "customer"));
        h.Send(
            "{\"robot_id\":\"r-1\",\"level\":91,\"type\":\"order\",\"msg\":\"delivery failed\"}",
            Event("r-2"),
            Event("r-3", level: "INFO"));

        var notices = h.Notifier.Notices;
        Assert.Equal(3, notices.Count);
        Assert.Equal(["customer", "ops"], notices.Where(n => n.Notice.Source == "customer").Select(n => n.Channel).Order());
        var developer = notices.Single(n => n.Notice.Source == "developers").Notice;
        Assert.Equal(AlertNoticeKind.Event, developer.Kind);
        Assert.Equal("robot_id=r-2", developer.GroupKey);
        Assert.Equal(1, developer.Count);
        Assert.Equal("error", developer.Severity);
        Assert.Contains("event of r-2", developer.Example);
    }

    [Fact]
    public async Task TheBlockReleasesEveryBatchAndCountsItsEvents()
    {
        using var h = new AlertHarness(With(Errors()));
        var batches = Enumerable.Range(0, 20).Select(i => h.Batches.From(h.Connection, Event($"r-{i % 3}"), Event("r-9", level: "INFO"))).ToList();
        foreach (var batch in batches)
        {
            batch.AddReferences(1); // the test's own, to see the block give up its one
            Assert.True(await h.Block.Input.SendAsync(batch));
        }

        h.Block.Input.Complete();
        await h.Block.Completion;
        Assert.All(batches, b => Assert.Equal(1, b.References));
        Assert.Equal(40, h.Block.Summary.Written);
        Assert.Equal(40, h.Counter("pipeline_component_events_total", "component=\"alerts\"", "direction=\"in\""));
        Assert.Equal(SinkHealth.Healthy, h.Block.Health);
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, h.Notifier.Of(AlertNoticeKind.Firing).Count); // r-0, r-1, r-2, r-9
    }

    [Fact]
    public async Task BatchesGoOnWhileAChannelHoldsTheNotifier()
    {
        using var h = new AlertHarness(With(Errors()));
        h.Send(Event("r-1"));
        h.Notifier.Hold();
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var tick = Task.Run(h.Block.Tick);
        await h.Notifier.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var batch = h.Batches.From(h.Connection, Event("r-2"));
        batch.AddReferences(1);
        Assert.True(await h.Block.Input.SendAsync(batch));
        h.Block.Input.Complete();
        await h.Block.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, batch.References);
        Assert.False(tick.IsCompleted);

        h.Notifier.Release();
        await tick.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithCapacityTwoTheThirdSendWaits()
    {
        // A route notifies in the batch path; a held notifier keeps the block busy on its first batch.
        var notifier = new RecordingNotifier();
        var routes = new List<RouteOptions> { new() { Name = "all", Channels = ["ops"] } };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var block = new AlertBlock(new AlertsOptions(), routes, BlockOptions.Of(2, 1), notifier, null, time, new PipelineMetrics(), NullLogger.Instance, null);
        var batches = new AlertBatches();
        notifier.Hold();
        Assert.True(await block.Input.SendAsync(batches.From(AlertBatches.Source, Event("r-1"))));
        await notifier.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var second = block.Input.SendAsync(batches.From(AlertBatches.Source, Event("r-2")));
        var third = block.Input.SendAsync(batches.From(AlertBatches.Source, Event("r-3")));
        Assert.True(second.IsCompletedSuccessfully);
        Assert.False(third.IsCompleted);

        notifier.Release();
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(30)));
        block.Input.Complete();
        await block.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, notifier.Notices.Count);
    }

    [Fact]
    public void TheQuerySurfaceSerializesToJsonForTheApi()
    {
        var manual = new AlertRuleOptions { Name = "manual", Kind = "attribute", Condition = "data.mode == \"manual\"", GroupBy = ["robot_id"], Channels = ["ops"] };
        using var h = new AlertHarness(With(Errors(), manual));
        h.Send(Event("r-1", attributes: "\"data\":{\"mode\":\"manual\"}"));
        h.Advance(TimeSpan.FromSeconds(1));
        h.Run(TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(1));

        var options = new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        var active = System.Text.Json.JsonSerializer.Serialize(h.Block.Active(), options);
        Assert.Contains("\"Rule\":\"manual\"", active, StringComparison.Ordinal);
        Assert.Contains("\"State\":\"Firing\"", active, StringComparison.Ordinal);
        Assert.Contains("\"Value\":null", active, StringComparison.Ordinal);
        Assert.Contains("\"Rule\":\"errors\"", System.Text.Json.JsonSerializer.Serialize(h.Block.RecentResolved(), options), StringComparison.Ordinal);
        Assert.Contains("\"Kind\":\"Attribute\"", System.Text.Json.JsonSerializer.Serialize(h.Block.Rules(), options), StringComparison.Ordinal);
    }

    [Fact]
    public void AddAlertsRegistersTheBlockOnlyWhenThereIsSomethingToDo()
    {
        var none = new ServiceCollection().AddAlerts(new AlertsOptions(), [new RouteOptions()], BlockOptions.Of(8, 1), "data/alerts");
        Assert.DoesNotContain(none, d => d.ServiceType == typeof(IEventSink));

        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<PipelineMetrics>()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<IAlertNotifier>(new RecordingNotifier());
        services.AddAlerts(new AlertsOptions(), [new RouteOptions { Channels = ["ops"] }], BlockOptions.Of(8, 1), Path.Combine(Path.GetTempPath(), "alerts-" + Guid.NewGuid().ToString("N")));
        using var provider = services.BuildServiceProvider();
        var sink = Assert.Single(provider.GetServices<IEventSink>());
        Assert.Equal("alerts", sink.Name);
        Assert.Same(sink, Assert.Single(provider.GetServices<ILifecycleComponent>()));
    }
}
