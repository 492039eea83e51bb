namespace Pipeline.Client.Tests;

public sealed class PipelineClientOptionsTests
{
    [Fact]
    public void TheDefaultsWithARobotIdAreValid()
    {
        new PipelineClientOptions { RobotId = "r1" }.Validate();
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/ingest", "Uri")]
    [InlineData("tcp://127.0.0.1", "Uri")]
    public void AnUnusableUriIsNamed(string uri, string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => new PipelineClientOptions { RobotId = "r1", Uri = new Uri(uri) }.Validate());
        Assert.Contains($"PipelineClientOptions.{setting}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBadSettingIsNamedInOneMessage()
    {
        var options = new PipelineClientOptions
        {
            RobotId = " ",
            BootId = new string('b', 129),
            MaxBufferedEvents = 0,
            MaxBatchBytes = 10,
            ReconnectMinDelay = TimeSpan.FromSeconds(2),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            HeartbeatInterval = TimeSpan.Zero,
        };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        foreach (var name in new[] { "RobotId", "BootId", "MaxBufferedEvents", "MaxBatchBytes", "ReconnectMaxDelay", "HeartbeatInterval" })
        {
            Assert.Contains($"PipelineClientOptions.{name}", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MaxBufferedBytesMustHoldABatch()
    {
        var error = Assert.Throws<ArgumentException>(() => new PipelineClientOptions { RobotId = "r1", MaxBatchBytes = 4096, MaxBufferedBytes = 1024 }.Validate());
        Assert.Contains("PipelineClientOptions.MaxBufferedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASpillMustHoldABatch()
    {
        var error = Assert.Throws<ArgumentException>(() => new PipelineClientOptions { RobotId = "r1", SpillDirectory = "/tmp/x", MaxSpillBytes = 10 }.Validate());
        Assert.Contains("PipelineClientOptions.MaxSpillBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClientRefusesBadOptionsInItsConstructor()
    {
        Assert.Throws<ArgumentException>(() => new PipelineClient(new PipelineClientOptions()));
    }

    [Fact]
    public void TheBootIdIsNewForEveryOptionsObject()
    {
        Assert.NotEqual(new PipelineClientOptions().BootId, new PipelineClientOptions().BootId);
    }
}
