using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Configuration;

namespace Pipeline.Alerts.Tests;

public sealed class AlertsSettingsTests
{
    private static (PipelineSettings Settings, List<string> Errors) Load(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var errors = new List<string>();
        return (PipelineSettings.Load(configuration, errors), errors);
    }

    [Fact]
    public void PipelineAlertsBindsRulesAndChannelsKeyByKey()
    {
        var (settings, errors) = Load(new()
        {
            ["Pipeline:DataDir"] = "/tmp/pipeline-data",
            ["Pipeline:Alerts:EvaluationInterval"] = "00:00:02",
            ["Pipeline:Alerts:Rules:0:Name"] = "battery-low",
            ["Pipeline:Alerts:Rules:0:Kind"] = "attribute",
            ["Pipeline:Alerts:Rules:0:Condition"] = "data.battery < 15",
            ["Pipeline:Alerts:Rules:0:For"] = "00:02:00",
            ["Pipeline:Alerts:Rules:0:GroupBy:0"] = "robot_id",
            ["Pipeline:Alerts:Rules:0:Match:Types:0"] = "status",
            ["Pipeline:Alerts:Rules:0:Labels:team"] = "robots",
            ["Pipeline:Alerts:Rules:0:Channels:0"] = "ops",
            ["Pipeline:Alerts:Channels:ops:Type"] = "Webhook",
            ["Pipeline:Alerts:Channels:ops:Url"] = "http://127.0.0.1:9/hook",
            ["Pipeline:Blocks:Alerts:BoundedCapacity"] = "16",
        });

        Assert.Empty(errors);
        var rule = Assert.Single(settings.Alerts.Rules);
        Assert.Equal("battery-low", rule.Name);
        Assert.Equal(TimeSpan.FromMinutes(2), rule.For);
        Assert.Equal(["status"], rule.Match.Types);
        Assert.Equal("robots", rule.Labels["team"]);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Alerts.EvaluationInterval);
        Assert.Equal(16, settings.Blocks.Alerts.BoundedCapacity);
        Assert.Equal(Path.Combine("/tmp/pipeline-data", "alerts"), settings.AlertsDirectory);
        Assert.Equal("http://127.0.0.1:9/hook", settings.AlertChannels.Channels["ops"].Url);
    }

    [Fact]
    public void AChannelARuleOrARouteNamesMustBeConfiguredAndAChannelsBadKeysAreNamed()
    {
        var (_, errors) = Load(new()
        {
            ["Pipeline:Alerts:Rules:0:Name"] = "x",
            ["Pipeline:Alerts:Rules:0:Kind"] = "threshold",
            ["Pipeline:Alerts:Rules:0:Threshold"] = "3",
            ["Pipeline:Alerts:Rules:0:Window"] = "00:01:00",
            ["Pipeline:Alerts:Rules:0:Channels:0"] = "dev",
            ["Pipeline:Routes:0:Match:LevelCodes:0"] = "91",
            ["Pipeline:Routes:0:Channels:0"] = "customer",
            ["Pipeline:Alerts:Channels:ops:Type"] = "Webhook",
            ["Pipeline:Alerts:Channels:ops:Ulr"] = "http://127.0.0.1:9/hook",
        });

        Assert.Contains("Pipeline:Alerts:Rules:0:Channels:0: no channel 'dev' in Pipeline:Alerts:Channels (configured: ops).", errors);
        Assert.Contains("Pipeline:Routes:0:Channels:0: no channel 'customer' in Pipeline:Alerts:Channels (configured: ops).", errors);
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Alerts:Channels:ops:Ulr: unknown setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Alerts:Channels:ops:Url: must be an http", StringComparison.Ordinal));
    }

    [Fact]
    public void TheReadmesFleetExampleIsAValidConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "alerting-fleet.json")).Build();
        var errors = new List<string>();
        var settings = PipelineSettings.Load(configuration, errors);

        Assert.Empty(errors);
        Assert.Equal(["error_burst", "battery_low", "robot_silent", "new_log_pattern"], settings.Alerts.Rules.Select(r => r.Name));
        Assert.Equal(["customer", "developers"], settings.Routes.Single().Channels);
    }

    [Fact]
    public void BadAlertKeysAreNamed()
    {
        var (_, errors) = Load(new()
        {
            ["Pipeline:Alerts:Rules:0:Name"] = "x",
            ["Pipeline:Alerts:Rules:0:Kind"] = "threshold",
            ["Pipeline:Alerts:Rules:0:Treshold"] = "3",
            ["Pipeline:Alerts:Rules:0:Window"] = "soon",
            ["Pipeline:Blocks:Alerts:MaxDegreeOfParallelism"] = "2",
        });

        Assert.Contains(errors, e => e.StartsWith("Pipeline:Alerts:Rules:0:Treshold: unknown setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Alerts:Rules:0:Window: cannot read 'soon'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Alerts:Rules:0:Threshold: is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Blocks:Alerts:MaxDegreeOfParallelism: must be 1", StringComparison.Ordinal));
    }
}
