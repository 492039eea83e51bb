using System.Text;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;
using Pipeline.Tests.Shared;

namespace Pipeline.Alerts.Tests;

public sealed class AlertRulesLoaderTests
{
    private const string Valid = """
        {"Rules":[
          {"Name":"errors","Kind":"threshold","Window":"00:00:10","Threshold":2,"GroupBy":["robot_id"],"Channels":["ops"],
           "Match":{"Levels":["ERROR"]},"Labels":{"team":"robots"}}
        ]}
        """;

    private const string Invalid = """
        {"Rules":[
          {"Name":"errors","Kind":"threshold","Window":"00:00:10","Threshold":2},
          {"Name":"battery","Kind":"attribute","Condition":"data.battery <"},
          {"Name":"typo","Kind":"threshold","Window":"00:00:10","Threshold":2,"Treshold":3}
        ]}
        """;

    [Fact]
    public void CheckReturnsTheRulesOfAValidFile()
    {
        var check = new AlertRulesLoader().Check(Encoding.UTF8.GetBytes(Valid), "alerts.json");
        Assert.True(check.IsValid);
        var rule = Assert.Single(check.Rules);
        Assert.Equal("errors", rule.Name);
        Assert.Equal(TimeSpan.FromSeconds(10), rule.Window);
        Assert.Equal("robots", rule.Labels["team"]);
    }

    [Fact]
    public void CheckNamesTheRuleAndKeyOfEveryError()
    {
        var check = new AlertRulesLoader().Check(Encoding.UTF8.GetBytes(Invalid), "alerts.json", ["errors"]);
        Assert.False(check.IsValid);
        Assert.Contains(check.Errors, e => e.StartsWith("alerts.json:Rules:0:Name: 'errors' is used by another rule", StringComparison.Ordinal) && e.EndsWith("(rule 'errors')", StringComparison.Ordinal));
        Assert.Contains(check.Errors, e => e.StartsWith("alerts.json:Rules:1:Condition:", StringComparison.Ordinal) && e.EndsWith("(rule 'battery')", StringComparison.Ordinal));
        Assert.Contains(check.Errors, e => e.StartsWith("alerts.json:Rules:2:", StringComparison.Ordinal) && e.Contains("Treshold", StringComparison.Ordinal));
        Assert.Equal(3, check.Errors.Count);
    }

    [Fact]
    public void CheckRejectsBrokenJson()
    {
        var check = new AlertRulesLoader().Check("{\"Rules\":["u8.ToArray(), "alerts.json");
        Assert.StartsWith("alerts.json: not a valid JSON document", Assert.Single(check.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AValidReloadSwapsTheRulesAndAnInvalidOneKeepsThemAndLogsTheRuleAndKey()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "alerts.json");
        File.WriteAllText(path, """{"Rules":[{"Name":"old","Kind":"threshold","Window":"00:00:10","Threshold":1,"Channels":["ops"]}]}""");
        var logger = new RecordingLogger();
        using var h = new AlertHarness(new AlertsOptions { RulesPath = path }, logger: logger);
        Assert.Equal(["old"], h.Block.Rules().Select(r => r.Name));

        File.WriteAllText(path, Valid);
        Assert.True(h.Block.RulesFile!.Reload());
        Assert.Equal(["errors"], h.Block.Rules().Select(r => r.Name));

        File.WriteAllText(path, Invalid);
        Assert.False(h.Block.RulesFile.Reload());
        Assert.Equal(["errors"], h.Block.Rules().Select(r => r.Name));
        Assert.Contains(logger.Messages, m => m.Contains("alerts.json:Rules:1:Condition:", StringComparison.Ordinal) && m.Contains("(rule 'battery')", StringComparison.Ordinal));

        // The kept rule still works.
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
    }

    [Fact]
    public void AnInvalidRulesFileAtStartIsLoggedAndTheConfiguredRulesRun()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "alerts.json");
        File.WriteAllText(path, Invalid);
        var logger = new RecordingLogger();
        var options = new AlertsOptions
        {
            RulesPath = path,
            Rules = [new() { Name = "configured", Kind = "threshold", Window = TimeSpan.FromSeconds(10), Threshold = 1, Channels = ["ops"] }],
        };
        using var h = new AlertHarness(options, logger: logger);
        Assert.Equal(["configured"], h.Block.Rules().Select(r => r.Name));
        Assert.Contains(logger.Messages, m => m.Contains("alerts.json:Rules:2:", StringComparison.Ordinal) && m.Contains("(rule 'typo')", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangedRulesFileIsReloadedAfterTheDebounceOnTheClock()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "alerts.json");
        File.WriteAllText(path, """{"Rules":[]}""");
        var options = new AlertsOptions { RulesPath = path, ReloadDebounce = TimeSpan.FromSeconds(2) };
        using var h = new AlertHarness(options);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reloaded = new TaskCompletionSource<AlertRulesCheck>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Block.RulesFile!.ChangeSeen += () => seen.TrySetResult();
        h.Block.RulesFile.Reloaded += check => reloaded.TrySetResult(check);
        await h.Block.StartAsync(CancellationToken.None);
        try
        {
            File.WriteAllText(path, Valid);
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(reloaded.Task.IsCompleted); // waits for quiet on the clock
            h.Time.Advance(TimeSpan.FromSeconds(2));
            var check = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(check.IsValid);
            Assert.Equal(["errors"], h.Block.Rules().Select(r => r.Name));
        }
        finally
        {
            await h.Block.StopAsync(CancellationToken.None);
        }
    }
}
