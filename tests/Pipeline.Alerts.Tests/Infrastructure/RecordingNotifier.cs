using Pipeline.Blocks.Alerts;

namespace Pipeline.Alerts.Tests.Infrastructure;

/// <summary>Records every notice per channel; optionally holds callers in <see cref="Notify"/> until released (a stalled channel).</summary>
internal sealed class RecordingNotifier : IAlertNotifier
{
    private readonly object _gate = new();
    private readonly List<(string Channel, AlertNotice Notice)> _notices = [];
    private TaskCompletionSource? _hold;

    public RecordingNotifier(params string[] channels)
    {
        Channels = channels.Length == 0 ? ["ops"] : channels;
    }

    public IReadOnlyCollection<string> Channels { get; }

    /// <summary>Raised on the notifying thread after each notice is recorded, for tests that await one.</summary>
    public event Action<AlertNotice>? Notified;

    /// <summary>Completes when a caller is held in <see cref="Notify"/>.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(string Channel, AlertNotice Notice)> Notices
    {
        get
        {
            lock (_gate)
            {
                return [.. _notices];
            }
        }
    }

    public IReadOnlyList<AlertNotice> Of(AlertNoticeKind kind) => [.. Notices.Where(n => n.Notice.Kind == kind).Select(n => n.Notice)];

    /// <summary>From now on, <see cref="Notify"/> blocks until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public void Clear()
    {
        lock (_gate)
        {
            _notices.Clear();
        }
    }

    public bool Notify(string channel, AlertNotice notice)
    {
        if (_hold is { } hold)
        {
            Entered.TrySetResult();
            hold.Task.GetAwaiter().GetResult();
        }

        lock (_gate)
        {
            _notices.Add((channel, notice));
        }

        Notified?.Invoke(notice);
        return Channels.Contains(channel);
    }
}
