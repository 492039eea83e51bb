using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Pipeline.LoadTests.Reporting;

namespace Pipeline.LoadTests.Fleet;

/// <summary>
/// Runs a plan: connects every robot, lets them send until the duration or the event count is
/// reached, reports once per second, closes the connections gracefully and prints the summary.
/// </summary>
internal sealed class FleetRunner
{
    private const int ConnectParallelism = 32;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly LoadPlan _plan;
    private readonly Func<int, LoadStats, CancellationToken, Task<IRobotConnection>> _connect;
    private readonly ConsoleReport _report;

    /// <param name="connect">Opens robot <c>index</c>'s connection (it may record into the run's stats: acks).</param>
    public FleetRunner(LoadPlan plan, Func<int, LoadStats, CancellationToken, Task<IRobotConnection>> connect, TextWriter output)
    {
        _plan = plan;
        _connect = connect;
        _report = new ConsoleReport(output);
    }

    /// <returns>0 when every robot connected and sent without error, else 1.</returns>
    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        // abort: the hard stop (cancels writes in flight); stop: no more writes (duration, Ctrl-C).
        using var abort = new CancellationTokenSource(_plan.Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, interrupted);
        // Ctrl-C or SIGTERM: stop sending, close gracefully and print the summary; a second one aborts.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (stop.IsCancellationRequested)
            {
                abort.Cancel();
            }
            else
            {
                _report.Interrupted(context.Signal.ToString());
                stop.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _report.Start(_plan);

        var stats = new LoadStats();
        var (robots, failures) = await ConnectAsync(stats, abort.Token).ConfigureAwait(false);
        if (robots.Count == 0)
        {
            return 1;
        }

        var start = Stopwatch.GetTimestamp();
        var deadline = _plan.Events == 0 ? start + (long)(_plan.Duration.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var running = new Task[robots.Count];
        for (var i = 0; i < robots.Count; i++)
        {
            // Task.Run: a robot whose writes complete synchronously would otherwise run to its end right here.
            var robot = robots[i];
            running[i] = Task.Run(() => robot.RunAsync(start, deadline, stop.Token, abort.Token), CancellationToken.None);
        }

        await ReportUntilDoneAsync(Task.WhenAll(running), running, stats, start).ConfigureAwait(false);
        var sending = Stopwatch.GetElapsedTime(start);
        var (closed, notes) = await CloseAsync(robots, abort.Token).ConfigureAwait(false);
        _report.Summary(_plan, stats, sending, robots.Count, closed, notes);
        return failures == 0 && stats.ErrorCount == 0 && closed == robots.Count ? 0 : 1;
    }

    /// <summary>
    /// Prints progress once per second from a thread of its own: robots sending as fast as they can keep
    /// every thread-pool thread busy, and a pool timer would then report late or not at all.
    /// </summary>
    private async Task ReportUntilDoneAsync(Task all, Task[] running, LoadStats stats, long start)
    {
        using var done = new ManualResetEventSlim();
        _ = all.ContinueWith(static (_, state) => ((ManualResetEventSlim)state!).Set(), done,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var reporter = new Thread(() =>
        {
            for (var next = TimeSpan.FromSeconds(1); ; next += TimeSpan.FromSeconds(1))
            {
                var wait = next - Stopwatch.GetElapsedTime(start);
                if (done.Wait(wait > TimeSpan.Zero ? wait : TimeSpan.Zero))
                {
                    return;
                }

                _report.Progress(stats, Stopwatch.GetElapsedTime(start), Array.FindAll(running, t => !t.IsCompleted).Length);
            }
        })
        {
            IsBackground = true,
            Name = "pipeline-load progress",
        };
        reporter.Start();
        await all.ConfigureAwait(false);
        reporter.Join();
    }

    private async Task<(List<Robot> Robots, int Failures)> ConnectAsync(LoadStats stats, CancellationToken abort)
    {
        var started = Stopwatch.GetTimestamp();
        var connections = new IRobotConnection?[_plan.Robots];
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, _plan.Robots),
            new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = CancellationToken.None },
            async (index, _) =>
            {
                try
                {
                    connections[index] = await _connect(index, stats, abort).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failures.AddOrUpdate($"{ex.GetType().Name}: {ex.Message}", 1, static (_, n) => n + 1);
                }
            }).ConfigureAwait(false);

        var robots = new List<Robot>(_plan.Robots);
        for (var i = 0; i < connections.Length; i++)
        {
            if (connections[i] is { } connection)
            {
                robots.Add(new Robot(connection, _plan, i, stats));
            }
        }

        _report.Connected(robots.Count, _plan.Robots, Stopwatch.GetElapsedTime(started), failures);
        return (robots, _plan.Robots - robots.Count);
    }

    private static async Task<(int Closed, IReadOnlyDictionary<string, int> Notes)> CloseAsync(List<Robot> robots, CancellationToken abort)
    {
        var notes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var closed = 0;
        await Parallel.ForEachAsync(robots,
            new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = CancellationToken.None },
            async (robot, _) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
                timeout.CancelAfter(CloseTimeout);
                try
                {
                    var said = await robot.Connection.CloseAsync(timeout.Token).ConfigureAwait(false);
                    if (said is null)
                    {
                        Interlocked.Increment(ref closed);
                    }
                    else
                    {
                        notes.AddOrUpdate($"server said: {said}", 1, static (_, n) => n + 1);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    var note = abort.IsCancellationRequested ? "not closed: --timeout reached"
                        : timeout.IsCancellationRequested ? $"the server did not close within {CloseTimeout.TotalSeconds:F0} s"
                        : $"close failed: {ex.GetType().Name}: {ex.Message}";
                    notes.AddOrUpdate(note, 1, static (_, n) => n + 1);
                }
                finally
                {
                    await robot.Connection.DisposeAsync().ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return (closed, notes);
    }
}
