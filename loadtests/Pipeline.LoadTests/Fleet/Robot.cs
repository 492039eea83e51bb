using System.Diagnostics;
using Pipeline.LoadTests.Generation;
using Pipeline.LoadTests.Reporting;

namespace Pipeline.LoadTests.Fleet;

/// <summary>
/// One simulated robot: generates events into a reused buffer and writes them on its connection,
/// paced to its share of the fleet's rate. Pacing is by schedule, not by sleeping a fixed gap, so a
/// slow write is caught up afterwards and the average rate holds.
/// </summary>
internal sealed class Robot
{
    private const int YieldEvery = 16;

    private readonly IRobotConnection _connection;
    private readonly LoadPlan _plan;
    private readonly int _index;
    private readonly LoadStats _stats;

    public Robot(IRobotConnection connection, LoadPlan plan, int index, LoadStats stats)
    {
        _connection = connection;
        _plan = plan;
        _index = index;
        _stats = stats;
    }

    public IRobotConnection Connection => _connection;

    /// <summary>
    /// Sends until its quota is sent, the <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp)
    /// passes or <paramref name="stop"/>; <paramref name="abort"/> cancels a write in flight. The deadline is
    /// checked here rather than by a timer, which a saturated thread pool would fire late.
    /// </summary>
    public async Task RunAsync(long startTimestamp, long deadline, CancellationToken stop, CancellationToken abort)
    {
        var quota = _plan.QuotaOf(_index);
        var generator = new EventGenerator(_plan.Seed + _index, robot: _index + 1, seqFirst: _plan.Acks,
            clock: _plan.FixedTimestamps ? null : TimeProvider.System);
        var firstSeq = _plan.Acks ? 1 : 0; // acked events count from 1 (docs/acks.md)
        var buffer = new byte[_plan.LinesPerWrite * EventGenerator.MaxLineBytes];
        var perSecond = _plan.Rate / _plan.Robots;
        // Robots take turns within the first interval instead of all writing at the same instant.
        var firstDue = perSecond > 0 ? startTimestamp + (long)(Stopwatch.Frequency * (double)_index / _plan.Robots / perSecond) : startTimestamp;
        long sent = 0;
        var writesSinceYield = 0;
        try
        {
            while (sent < quota && !stop.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
            {
                if (perSecond > 0)
                {
                    var due = firstDue + (long)(Stopwatch.Frequency * (sent / perSecond));
                    if (due >= deadline)
                    {
                        break;
                    }

                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), stop).ConfigureAwait(false);
                    }
                }

                var lines = (int)Math.Min(_plan.LinesPerWrite, quota - sent);
                var length = 0;
                for (var i = 0; i < lines; i++)
                {
                    length += generator.Write(buffer.AsSpan(length), firstSeq + sent + i);
                }

                var started = Stopwatch.GetTimestamp();
                await _connection.SendAsync(buffer.AsMemory(0, length), abort).ConfigureAwait(false);
                _stats.RecordWrite(lines, length, Stopwatch.GetTimestamp() - started);
                sent += lines;
                if (++writesSinceYield == YieldEvery)
                {
                    // Writes to a fast socket complete synchronously: let the other robots have the thread.
                    writesSinceYield = 0;
                    await Task.Yield();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            // Stopped while waiting for its next turn.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _stats.RecordError(abort.IsCancellationRequested ? "write aborted by --timeout" : $"write failed: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
