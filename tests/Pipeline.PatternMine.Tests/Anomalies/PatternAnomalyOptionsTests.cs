using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.PatternMine.Tests.Anomalies;

public sealed class PatternAnomalyOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => new PatternMineOptions().Validate();

    [Theory]
    [InlineData("Window", "00:00:00.050")]
    [InlineData("Window", "02:00:00")]
    [InlineData("WarmUp", "-00:00:01")]
    [InlineData("SpikeFactor", "1")]
    [InlineData("SpikeFactor", "NaN")]
    [InlineData("ErrorSpikeFactor", "0.5")]
    [InlineData("MinEvents", "0")]
    [InlineData("MinErrors", "0")]
    [InlineData("BaselineHalfLife", "00:00:05")]
    [InlineData("BaselineWindows", "0")]
    [InlineData("Cooldown", "-00:00:01")]
    [InlineData("MaxAnomaliesPerWindow", "0")]
    [InlineData("RecentCapacity", "0")]
    [InlineData("MaxRobots", "0")]
    [InlineData("RobotIdleTimeout", "00:00:01")]
    public void ABadValueIsRejectedNamingItsKey(string key, string value)
    {
        var options = new PatternMineOptions();
        var property = typeof(PatternAnomalyOptions).GetProperty(key)!;
        property.SetValue(options.Anomalies, property.PropertyType == typeof(TimeSpan)
            ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.StartsWith($"Pipeline:PatternMine:Anomalies:{key} must", error.Message);
    }

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPath()
    {
        var options = new PatternAnomalyOptions
        {
            Window = TimeSpan.FromSeconds(10),
            WarmUp = TimeSpan.FromSeconds(-1),
            MinErrors = 0,
            BaselineHalfLife = TimeSpan.FromSeconds(5),
            MaxRobots = 0,
        };
        var errors = new List<string>();

        options.Validate(new OptionsErrors("Pipeline:PatternMine:Anomalies", errors));

        Assert.Equal(
        [
            "Pipeline:PatternMine:Anomalies:WarmUp must be zero (no warm-up) or positive, e.g. 00:05:00. (got -00:00:01).",
            "Pipeline:PatternMine:Anomalies:MinErrors must be at least 1. (got 0).",
            "Pipeline:PatternMine:Anomalies:BaselineHalfLife must be at least one Window (00:00:10), e.g. 00:05:00. (got 00:00:05).",
            "Pipeline:PatternMine:Anomalies:MaxRobots must be at least 1. (got 0).",
        ], errors);
    }
}
