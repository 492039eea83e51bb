namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>Client options for a test: a robot and boot of its own, fast reconnects.</summary>
public static class TestClients
{
    public static PipelineClientOptions Options(Uri uri, string robot = "r-test") => new()
    {
        Uri = uri,
        RobotId = robot,
        BootId = Guid.NewGuid().ToString(),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
}
