using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.EndToEnd.Tests.Infrastructure;

namespace Pipeline.EndToEnd.Tests;

/// <summary>A robot's session number only grows, even when the service is killed (SIGKILL) right after the robot came online.</summary>
public sealed class RobotSessionRestartTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASessionStartedJustBeforeASigkillIsNotHandedOutAgainAfterTheRestart()
    {
        await using var first = await PipelineProcess.StartAsync();
        using (var robot = await ConnectAsync(first))
        {
            // The server asks get_status once the session is the robot's: by then its number is in the journal.
            await WaitForCommandAsync(robot, "get_status");
            Assert.Equal(1, await SessionAsync(first));
            await first.KillAsync(); // well within the second before the next snapshot
        }

        await using var second = await PipelineProcess.StartAsync(first.DataDir);
        Assert.Equal(1, await SessionAsync(second)); // known, offline, from the journal
        using var again = await ConnectAsync(second);
        await WaitForCommandAsync(again, "get_status");
        Assert.Equal(2, await SessionAsync(second));
    }

    private static async Task<ClientWebSocket> ConnectAsync(PipelineProcess pipeline)
    {
        var socket = new ClientWebSocket();
        using var limit = new CancellationTokenSource(Limit);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{pipeline.HttpPort}/ingest?robot_id=r1"), limit.Token);
        return socket;
    }

    private static async Task WaitForCommandAsync(ClientWebSocket socket, string command)
    {
        using var limit = new CancellationTokenSource(Limit);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            using var message = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (message.RootElement.GetProperty("type").GetString() == "command" &&
                message.RootElement.GetProperty("command").GetString() == command)
            {
                return;
            }
        }
    }

    private static async Task<long> SessionAsync(PipelineProcess pipeline)
    {
        using var robot = JsonDocument.Parse(await pipeline.GetStringAsync("/api/robots/r1"));
        return robot.RootElement.GetProperty("session").GetInt64();
    }
}
