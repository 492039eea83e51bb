using System.Text;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task EventsSentOverTcpAreInTheRollingFilesAfterStop()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var payload = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            payload.Append($"{{\"robot_id\":\"r1\",\"msg\":\"hello {i}\",\"seq\":{i}}}\n");
        }

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(payload.ToString()));
        await pipeline.StopAsync();

        var lines = pipeline.ReadLogLines();
        Assert.Equal(100, lines.Count);
        Assert.Contains("\"msg\":\"hello 99\"", lines[99]);
    }
}
