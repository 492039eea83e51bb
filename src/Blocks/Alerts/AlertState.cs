namespace Pipeline.Blocks.Alerts;

/// <summary>Where an alert of one rule's group stands. Resolved alerts leave the active list (see <see cref="ResolvedAlert"/>).</summary>
public enum AlertState
{
    Inactive,

    /// <summary>The condition holds, <c>For</c> has not elapsed yet; a pending alert that clears never notifies.</summary>
    Pending,

    /// <summary>Notified (or would be, when silenced) to the rule's channels.</summary>
    Firing,

    /// <summary>The group's robot has no open connection: neither resolved nor re-fired until it reconnects.</summary>
    Offline,
}
