using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Tests.Shared;

namespace Pipeline.Alerts.Tests;

public sealed class AlertsHostTests
{
    [Fact]
    public async Task TheServiceRunsConfiguredRulesOnWhatRobotsSendOverTcp()
    {
        var firing = new TaskCompletionSource<AlertNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        var notifier = new RecordingNotifier();
        notifier.Notified += n =>
        {
            if (n.Kind == AlertNoticeKind.Firing)
            {
                firing.TrySetResult(n);
            }
        };
        await using var pipeline = await TestPipeline.StartAsync(
            new Dictionary<string, string>
            {
                ["Alerts:EvaluationInterval"] = "00:00:00.050",
                ["Alerts:Rules:0:Name"] = "motor-errors",
                ["Alerts:Rules:0:Kind"] = "threshold",
                ["Alerts:Rules:0:Match:Levels:0"] = "ERROR",
                ["Alerts:Rules:0:Window"] = "00:05:00",
                ["Alerts:Rules:0:Threshold"] = "2",
                ["Alerts:Rules:0:GroupBy:0"] = "robot_id",
                ["Alerts:Rules:0:Channels:0"] = "ops",
                ["Alerts:Channels:ops:Type"] = "Webhook", // configured (checked at start), but the recording notifier stands in for it
                ["Alerts:Channels:ops:Url"] = "http://127.0.0.1:9/",
            },
            services => services.AddSingleton<IAlertNotifier>(notifier));

        var lines = AlertHarness.Event("r-7") + "\n" + AlertHarness.Event("r-7") + "\n" + AlertHarness.Event("r-8", level: "INFO") + "\n";
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(lines));

        var notice = await firing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("motor-errors", notice.Source);
        Assert.Equal("robot_id=r-7", notice.GroupKey);
        var block = pipeline.Services.GetRequiredService<AlertBlock>();
        Assert.Contains(block.Rules(), r => r.Name == "motor-errors" && r.Groups == 1);
        // The last state is written at stop (after the graph drained).
        await pipeline.StopAsync();
        Assert.Contains("motor-errors", File.ReadAllText(Path.Combine(pipeline.DataDir, "alerts", "state.json")), StringComparison.Ordinal);
    }
}
