namespace Pipeline.Blocks.Alerts;

/// <summary>
/// Hands notices to the notification channels (<c>Pipeline:Alerts:Channels:&lt;name&gt;</c>). Never
/// blocks and never throws: a channel that is full, slow or down counts the notice it drops with a
/// reason, so the alert block — and the graph behind it — never waits on a channel.
/// </summary>
public interface IAlertNotifier
{
    /// <summary>The configured channel names.</summary>
    IReadOnlyCollection<string> Channels { get; }

    /// <summary>Queues <paramref name="notice"/> for <paramref name="channel"/>; false when it was not queued (unknown channel, or dropped and counted).</summary>
    bool Notify(string channel, AlertNotice notice);
}
