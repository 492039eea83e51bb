using System.Collections.Concurrent;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Anomalies.Internal;
using Pipeline.Blocks.PatternMine.Internal;
using Prometheus;

namespace Pipeline.Blocks.PatternMine.Anomalies;

public sealed partial class PatternAnomalyDetector
{
    // Keyed by a stable 64-bit hash of the escaped robot_id bytes, so a lookup needs no string; two robots
    // colliding on 64 bits would share a baseline, which is accepted.
    private readonly ConcurrentDictionary<ulong, RobotErrorState> _robots = new();
    private readonly Counter _robotsForgotten;
    private readonly Counter _robotsUntracked;
    private readonly Microsoft.Extensions.ObjectPool.ObjectPool<RobotTally> _tallies =
        new Microsoft.Extensions.ObjectPool.DefaultObjectPool<RobotTally>(new Microsoft.Extensions.ObjectPool.DefaultPooledObjectPolicy<RobotTally>());
    private int _robotCount;
    private long _untrackedEvents;

    /// <summary>Robots whose error counts are tracked.</summary>
    public int TrackedRobots => Volatile.Read(ref _robotCount);

    /// <summary>Events not tracked because <see cref="PatternAnomalyOptions.MaxRobots"/> robots were tracked already.</summary>
    public long UntrackedEvents => (long)_robotsUntracked.Value + Interlocked.Read(ref _untrackedEvents);

    /// <summary>Robots forgotten after being idle for <see cref="PatternAnomalyOptions.RobotIdleTimeout"/>.</summary>
    public long ForgottenRobots => (long)_robotsForgotten.Value;

    /// <inheritdoc />
    public void Observe(EventBatch batch, ReadOnlySpan<int> errors)
    {
        // Only errors are attributed to robots: the rule compares a robot's errors with its own baseline,
        // and the block hands over just those events, so nothing here walks the whole batch.
        var events = batch.Events;
        var tally = _tallies.Get();
        var last = Slice.Empty;
        ulong key = 0;
        try
        {
            foreach (var i in errors)
            {
                ref var e = ref events[i];
                if (e.RobotId.IsEmpty)
                {
                    continue;
                }

                // A connection is usually one robot: hash only when the id changes. 0 marks a free slot
                // in the tally, so a robot whose id hashes to 0 counts under 1.
                if (last.IsEmpty || !batch[e.RobotId].SequenceEqual(batch[last]))
                {
                    key = StableHash.Hash(batch[e.RobotId]);
                    key = key == 0 ? 1 : key;
                    last = e.RobotId;
                }

                tally.Add(key, e.RobotId, error: true);
                if (tally.Count == RobotTally.MaxRobots)
                {
                    Flush(batch, tally);
                }
            }

            Flush(batch, tally);
        }
        finally
        {
            tally.Clear();
            _tallies.Return(tally);
        }
    }

    /// <summary>Adds the tally's counts to the robots' shared counters: one lookup per robot in the batch.</summary>
    private void Flush(EventBatch batch, RobotTally tally)
    {
        long untracked = 0;
        for (var i = 0; i < tally.Count; i++)
        {
            var (key, id, count, errors) = tally[i];
            var robot = Lookup(key, batch[id]);
            if (robot is null)
            {
                untracked += count;
            }
            else
            {
                robot.Add(count, errors);
            }
        }

        if (untracked > 0)
        {
            Interlocked.Add(ref _untrackedEvents, untracked);
        }

        tally.Clear();
    }

    private RobotErrorState? Lookup(ulong key, ReadOnlySpan<byte> escapedId)
    {
        if (_robots.TryGetValue(key, out var robot))
        {
            return robot;
        }

        // A new robot: once per robot, not per event. Count first so parallel workers cannot overshoot.
        if (Interlocked.Increment(ref _robotCount) > _options.MaxRobots)
        {
            Interlocked.Decrement(ref _robotCount);
            return null;
        }

        var buffer = Array.Empty<byte>();
        var id = System.Text.Encoding.UTF8.GetString(JsonUnescaper.Unescape(escapedId, ref buffer));
        var created = new RobotErrorState(id, _time.GetUtcNow().ToUnixTimeMilliseconds());
        robot = _robots.GetOrAdd(key, created);
        if (!ReferenceEquals(robot, created))
        {
            Interlocked.Decrement(ref _robotCount); // another worker added it first
        }

        return robot;
    }

    /// <summary>Compares each robot's errors in the window with its baseline; forgets robots idle for too long.</summary>
    private void TickRobots(long now, List<PatternAnomaly> found)
    {
        var untracked = Interlocked.Exchange(ref _untrackedEvents, 0);
        if (untracked > 0)
        {
            _robotsUntracked.Inc(untracked);
        }

        var idle = (long)_options.RobotIdleTimeout.TotalMilliseconds;
        var cooldown = (long)_options.Cooldown.TotalMilliseconds;
        foreach (var (key, robot) in _robots)
        {
            var (events, errors) = robot.Take();
            if (events > 0)
            {
                robot.LastActiveAt = now;
            }
            else if (now - robot.LastActiveAt >= idle)
            {
                // A worker adding to it right now loses those counts: the robot was idle for an hour.
                if (_robots.TryRemove(key, out _))
                {
                    Interlocked.Decrement(ref _robotCount);
                    _robotsForgotten.Inc();
                }

                continue;
            }

            var before = robot.Baseline.Value;
            if (!robot.Baseline.Add(errors, _alpha, _options.BaselineWindows, _options.MinErrors, _options.ErrorSpikeFactor, now, cooldown, out var coolingDown))
            {
                continue;
            }

            if (coolingDown)
            {
                _suppressed.WithLabels(PatternAnomalyKind.RobotErrorSpike.Name(), "cooldown").Inc();
                continue;
            }

            found.Add(new PatternAnomaly
            {
                Kind = PatternAnomalyKind.RobotErrorSpike,
                Time = DateTimeOffset.FromUnixTimeMilliseconds(now),
                RobotId = robot.RobotId,
                Value = errors,
                Baseline = before,
                Message = $"Robot {robot.RobotId} logged {errors} errors in {WindowText}, {Versus(errors, before)}.",
            });
        }
    }
}
