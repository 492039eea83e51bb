using System.Text.Json;
using Pipeline.EndToEnd.Tests.Infrastructure;

namespace Pipeline.EndToEnd.Tests;

/// <summary>
/// Acks survive things being killed: a robot re-sending from its last ack while the service is SIGKILLed and started
/// again twice, and while the robot's own socket is aborted, ends with every seq exactly once in the files, in order.
/// </summary>
public sealed class AckKillTests
{
    private const int Total = 200_000;

    [Fact]
    public async Task EverySeqIsInTheFilesExactlyOnceAndInOrderAfterTwoSigkillsAndAnAbortedSocket()
    {
        // The test owns the data directory: a process started on it leaves it behind when disposed.
        var dataDir = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var pipeline = await PipelineProcess.StartAsync(dataDir);
        var address = new ServiceAddress(pipeline.TcpPort);
        var robot = new ResendingRobot("r-kill", "boot-kill", Total, address);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var sending = robot.RunAsync(limit.Token);
        try
        {
            // Each disruption: everything up to its point durable, then a window more let go, and the disruption as soon as
            // the robot has written some of it — events are in the socket, the graph and the page cache when it lands.
            foreach (var at in (long[])[Total / 4, Total / 2])
            {
                await InMotionAsync(robot, at, limit.Token);
                await pipeline.KillAsync(); // no chance to save anything: the files and the snapshot are what they are
                var next = await PipelineProcess.StartAsync(dataDir);
                await pipeline.DisposeAsync();
                pipeline = next;
                address.MoveTo(pipeline.TcpPort);
            }

            await InMotionAsync(robot, Total * 3 / 4, limit.Token);
            robot.AbortSocket();
            robot.Allow(Total);
            await sending;
            Assert.True(robot.Connections >= 4, $"the robot connected {robot.Connections} times");
            await pipeline.TerminateAsync();
            Assert.Equal(0, await pipeline.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            var seqs = Lz4Files.ReadWithK4os(Path.Combine(dataDir, "logs"))
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.TryGetProperty("boot_id", out var b) && b.GetString() == "boot-kill")
                .Select(e => e.GetProperty("attrs").GetProperty("seq").GetInt64())
                .ToList();
            var duplicates = seqs.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
            Assert.True(duplicates.Count == 0, $"written twice: {string.Join(", ", duplicates)}");
            Assert.True(seqs.SequenceEqual(Enumerable.Range(1, Total).Select(i => (long)i)), Describe(dataDir, seqs));
        }
        finally
        {
            await pipeline.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task InMotionAsync(ResendingRobot robot, long at, CancellationToken cancellationToken)
    {
        robot.Allow(at);
        await robot.WaitForAckedAsync(at, cancellationToken);
        robot.Allow(at + ResendingRobot.Window);
        await robot.WaitForSentAsync(at + 1_000, cancellationToken);
    }

    /// <summary>Each file's first and last seq and count, for a failure message.</summary>
    private static string Describe(string dataDir, List<long> seqs)
    {
        var text = new System.Text.StringBuilder($"{seqs.Count} seqs; files:\n");
        foreach (var file in Lz4Files.List(Path.Combine(dataDir, "logs")))
        {
            var one = Path.Combine(Path.GetTempPath(), "ack-kill-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(one);
            File.Copy(file, Path.Combine(one, Path.GetFileName(file)));
            var lines = Lz4Files.ReadWithK4os(one).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.TryGetProperty("attrs", out var a) && a.TryGetProperty("seq", out _))
                .Select(e => e.GetProperty("attrs").GetProperty("seq").GetInt64()).ToList();
            text.Append($"{Path.GetFileName(file)}: {lines.Count} [{lines.FirstOrDefault()}..{lines.LastOrDefault()}]\n");
            Directory.Delete(one, recursive: true);
        }

        return text.ToString();
    }
}
