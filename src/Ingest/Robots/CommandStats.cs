namespace Pipeline.Ingest.Robots;

/// <summary>One robot's commands: how many, how they ended, and the time to send them and to get the answer.</summary>
internal sealed class CommandStats
{
    private readonly Lock _gate = new();
    private long _sent;
    private long _succeeded;
    private long _failed;
    private long _timedOut;
    private long _sessionEnded;
    private double _sendMs;
    private double _executeMs;
    private long _answered;

    public void Sent(TimeSpan sendTime)
    {
        lock (_gate)
        {
            _sent++;
            _sendMs += sendTime.TotalMilliseconds;
        }
    }

    public void Answered(bool success, TimeSpan executeTime)
    {
        lock (_gate)
        {
            _answered++;
            _executeMs += executeTime.TotalMilliseconds;
            if (success)
            {
                _succeeded++;
            }
            else
            {
                _failed++;
            }
        }
    }

    public void TimedOut()
    {
        lock (_gate)
        {
            _timedOut++;
        }
    }

    public void SessionEnded()
    {
        lock (_gate)
        {
            _sessionEnded++;
        }
    }

    public CommandStatsView Snapshot()
    {
        lock (_gate)
        {
            return new CommandStatsView(_sent, _succeeded, _failed, _timedOut, _sessionEnded,
                _sent == 0 ? null : Math.Round(_sendMs / _sent, 3), _answered == 0 ? null : Math.Round(_executeMs / _answered, 3));
        }
    }

    /// <summary>The fleet-wide total of <paramref name="views"/>.</summary>
    public static CommandStatsView Sum(IEnumerable<CommandStatsView> views)
    {
        long sent = 0, ok = 0, failed = 0, timedOut = 0, ended = 0;
        double send = 0, execute = 0;
        long answered = 0;
        foreach (var v in views)
        {
            sent += v.Sent;
            ok += v.Succeeded;
            failed += v.Failed;
            timedOut += v.TimedOut;
            ended += v.SessionEnded;
            send += (v.AvgSendMs ?? 0) * v.Sent;
            execute += (v.AvgExecuteMs ?? 0) * (v.Succeeded + v.Failed);
            answered += v.Succeeded + v.Failed;
        }

        return new CommandStatsView(sent, ok, failed, timedOut, ended, sent == 0 ? null : Math.Round(send / sent, 3),
            answered == 0 ? null : Math.Round(execute / answered, 3));
    }
}
