using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Routes;

namespace Pipeline.Alerts.Tests;

public sealed class AlertRuleOptionsTests
{
    private static List<string> Errors(AlertsOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Alerts", errors));
        return errors;
    }

    [Fact]
    public void InvalidRulesReportEveryErrorWithItsKeyPath()
    {
        var options = new AlertsOptions
        {
            EvaluationInterval = TimeSpan.Zero,
            Flapping = new AlertFlappingOptions { Changes = 1 },
            Rules =
            [
                new() { Name = "ok", Kind = "threshold", Window = TimeSpan.FromMinutes(1), Threshold = 5 },
                new() { Kind = "threshold", Threshold = 5 },
                new() { Name = "ok", Kind = "sometimes" },
                new() { Name = "w", Kind = "threshold", Window = TimeSpan.FromSeconds(-1), Threshold = -2, ResolveBelow = 9, Severity = "loud" },
                new() { Name = "c", Kind = "attribute", Condition = "data.battery ~ 3", Match = new RouteMatchOptions { Levels = ["LOUD"] } },
                new() { Name = "a", Kind = "absent", GroupBy = ["robot id"], Annotations = new() { ["summary"] = "{{zone}} quiet" }, Channels = [""] },
                new() { Name = "s", Kind = "attribute", Condition = "data.mode == \"manual\"", ResolveBelow = 3 },
            ],
        };

        var errors = Errors(options);
        string[] expected =
        [
            "Pipeline:Alerts:EvaluationInterval: must be at least 10 ms",
            "Pipeline:Alerts:Flapping:Changes: must be 0 (off) or 2 to 100",
            "Pipeline:Alerts:Rules:1:Name: is required.",
            "Pipeline:Alerts:Rules:1:Window: is required for a threshold rule",
            "Pipeline:Alerts:Rules:2:Kind: 'sometimes' is not a rule kind",
            "Pipeline:Alerts:Rules:2:Name: 'ok' is used by another rule",
            "Pipeline:Alerts:Rules:3:Window: must be positive",
            "Pipeline:Alerts:Rules:3:Threshold: must be a positive number",
            "Pipeline:Alerts:Rules:3:ResolveBelow: must be 0 to the Threshold",
            "Pipeline:Alerts:Rules:3:Severity: 'loud' is not a severity",
            "Pipeline:Alerts:Rules:4:Match:Levels:0: 'LOUD' is not a level",
            "Pipeline:Alerts:Rules:4:Condition: 'data.battery ~ 3' is not a condition",
            "Pipeline:Alerts:Rules:5:For: must be positive for an absent rule",
            "Pipeline:Alerts:Rules:5:GroupBy:0: 'robot id' is not a path",
            "Pipeline:Alerts:Rules:5:Channels:0: empty channel name.",
            "Pipeline:Alerts:Rules:5:Annotations:summary: unknown placeholder '{{zone}}'",
            "Pipeline:Alerts:Rules:6:ResolveBelow: is only for a numeric condition",
        ];
        foreach (var start in expected)
        {
            Assert.Contains(errors, e => e.StartsWith(start, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, errors.Count);
    }

    [Fact]
    public void AValidRuleSetHasNoErrors()
    {
        var options = new AlertsOptions
        {
            Rules =
            [
                new() { Name = "t", Kind = "threshold", Window = TimeSpan.FromMinutes(1), Threshold = 5, ResolveBelow = 2, GroupBy = ["robot_id", "data.zone"],
                    Annotations = new() { ["summary"] = "{{robot_id}} in {{data.zone}}: {{value}}" } },
                new() { Name = "b", Kind = "attribute", Condition = "data.battery <= 15", ResolveBelow = 20, For = TimeSpan.FromMinutes(2) },
                new() { Name = "q", Kind = "absent", For = TimeSpan.FromSeconds(90), GroupBy = ["robot_id"] },
                new() { Name = "n", Kind = "anomaly" },
            ],
        };
        Assert.Empty(Errors(options));
    }
}
