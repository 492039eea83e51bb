namespace Pipeline.Blocks.Alerts;

/// <summary>What an <see cref="AlertNotice"/> tells a channel.</summary>
public enum AlertNoticeKind
{
    /// <summary>An alert started firing, or fires again after its <c>RepeatInterval</c>.</summary>
    Firing,

    /// <summary>An alert that was firing is resolved (never sent for a group whose robot went offline).</summary>
    Resolved,

    /// <summary>An event a route sends to channels (<c>Pipeline:Routes:N:Channels</c>): "notify on every such event".</summary>
    Event,

    /// <summary>A test notification (<c>pipeline alerts test &lt;channel&gt;</c>).</summary>
    Test,
}
