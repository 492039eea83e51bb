using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Tail;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary><c>pipeline tail</c> and <c>pipeline top</c>: the real CLI, as a process, against the real service.</summary>
public sealed class TailCliTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Task<PipelineCli.Result> RunAsync(TestPipeline pipeline, params string[] args) =>
        PipelineCli.RunAsync(_directory.Path, [.. args, "--url", pipeline.HttpUri.ToString()]);

    private static TailHub Hub(TestPipeline pipeline) => pipeline.Services.GetRequiredService<TailHub>();

    [Fact]
    public async Task TailJsonPrintsTheMatchingEventsLinesAsTheFilesHoldThem()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var tail = RunAsync(pipeline, "tail", "--json", "--robot", "r1", "--count", "2");
        await Hub(pipeline).WaitForSubscribersAsync(1).WaitAsync(TimeSpan.FromSeconds(60));

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(
            "{\"robot_id\":\"r1\",\"msg\":\"one\"}\n{\"robot_id\":\"r2\",\"msg\":\"other\"}\n{\"robot_id\":\"r1\",\"level\":\"error\",\"msg\":\"two\"}\n"));
        var result = await tail;
        await pipeline.StopAsync();

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var files = pipeline.ReadLogLines();
        Assert.Equal([files[0], files[2]], result.StdOut.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task TailFromTheFilesFollowsWhatIsWrittenAfterItStartsWithoutTheServicesTail()
    {
        // A first run leaves a file that holds 'before', whole; the tail starts at its end.
        var dataDir = Path.Combine(_directory.Path, "data");
        await using var earlier = await TestPipeline.StartAsync(dataDir: dataDir);
        await earlier.SendTcpAsync(Encoding.UTF8.GetBytes("{\"robot_id\":\"r1\",\"level\":\"error\",\"msg\":\"before\"}\n"));
        await earlier.StopAsync();
        await using var pipeline = await TestPipeline.StartAsync(dataDir: dataDir);
        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = PipelineCli.RunWatchingAsync(_directory.Path, line =>
        {
            if (line.Contains("following", StringComparison.Ordinal))
            {
                following.TrySetResult();
            }
        }, "tail", "--source", "files", "--data-dir", pipeline.DataDir, "--level", "error", "--json", "--count", "2");
        await following.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(
            "{\"robot_id\":\"r1\",\"level\":\"error\",\"msg\":\"one\"}\n{\"robot_id\":\"r1\",\"msg\":\"quiet\"}\n{\"robot_id\":\"r2\",\"level\":\"critical\",\"msg\":\"two\"}\n"));
        var result = await tail;
        await pipeline.StopAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, Hub(pipeline).Count); // the service's tail was never asked
        var files = pipeline.ReadLogLines();
        Assert.Equal([files[1], files[3]], result.StdOut.TrimEnd('\n').Split('\n')); // not 'before', which was there already
    }

    [Theory]
    [InlineData("--site", "north")]
    [InlineData("--template-id", "7")]
    [InlineData("--regex")]
    public async Task TailFromTheFilesRefusesWhatOnlyTheServicesTailCanDo(params string[] option)
    {
        var result = await PipelineCli.RunAsync(_directory.Path, ["tail", "--source", "files", .. option]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"pipeline tail: {option[0]} needs the service's tail; the files source takes --robot, --level, --type, --grep and --sample.", result.StdErr.Trim());
    }

    [Fact]
    public async Task TailFromTheFilesOfADirectoryThatIsNotThereExits2SayingWhere()
    {
        var missing = Path.Combine(_directory.Path, "nope");
        var result = await PipelineCli.RunAsync(_directory.Path, "tail", "--source", "files", "--data-dir", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"pipeline tail: {missing} does not exist: pass --data-dir with the service's Pipeline:DataDir.", result.StdErr.Trim());
    }

    [Fact]
    public async Task TailPrintsOneLinePerEventWithoutColourWhenNotATerminal()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var tail = RunAsync(pipeline, "tail", "--level", "error", "--count", "1");
        await Hub(pipeline).WaitForSubscribersAsync(1).WaitAsync(TimeSpan.FromSeconds(60));

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(
            "{\"robot_id\":\"r1\",\"msg\":\"quiet\"}\n{\"robot_id\":\"r7\",\"level\":\"error\",\"type\":\"motor\",\"msg\":\"stalled\"}\n"));
        var result = await tail;

        Assert.Equal(0, result.ExitCode);
        var line = result.StdOut.TrimEnd('\n');
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} ERROR    r7 motor stalled$", line);
        Assert.DoesNotContain('\u001b', result.StdOut);
    }

    [Fact]
    public async Task TailWithABadFilterExits2WithTheServicesReason()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        var result = await RunAsync(pipeline, "tail", "--level", "loud");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        var line = Assert.Single(result.StdErr.TrimEnd('\n').Split('\n'));
        Assert.Contains("'level' must be debug, info, warning, error or critical (got 'loud')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TailPastTheSubscriberLimitExits1SayingSo()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Tail:MaxSubscribers"] = "0" });

        var result = await RunAsync(pipeline, "tail");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Pipeline:Tail:MaxSubscribers", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tail")]
    [InlineData("top")]
    public async Task AnUnknownOptionExits2WithOneLine(string verb)
    {
        var result = await PipelineCli.RunAsync(_directory.Path, verb, "--bogus");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"pipeline {verb}: unknown option '--bogus'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopOncePrintsOneFrameOfTheRunningService()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes("{\"robot_id\":\"r1\",\"msg\":\"hello\"}\n"));

        var result = await RunAsync(pipeline, "top", "--once");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.StartsWith("pipeline top — ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("— ready", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["tcp", _, "1", "0"]);
        Assert.Contains(lines, l => l.StartsWith("BLOCK ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("parse ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["files", "healthy", _, "1", "0", "-", "-"]); // the files sink has no spool
        Assert.Contains("robots online: 0   tail viewers: 0 (dropped 0)", lines);
        Assert.Contains("alerts: off (no rules configured)", lines);
        Assert.DoesNotContain('\u001b', result.StdOut);
    }

    [Fact]
    public async Task TopOfAServiceThatIsNotThereExits1()
    {
        var result = await PipelineCli.RunAsync(_directory.Path, "top", "--once", "--url", "http://127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("pipeline top: cannot reach http://127.0.0.1:1/metrics", result.StdErr, StringComparison.Ordinal);
    }
}
