namespace Pipeline.Storage.Alerting.Internal;

/// <summary>The <c>reason</c> label of <c>pipeline_alert_notices_dropped_total</c>.</summary>
internal static class DropReasons
{
    public const string QueueFull = "queue_full";
    public const string SendFailed = "send_failed";
    public const string ResolvedDisabled = "resolved_disabled";
    public const string UnknownChannel = "unknown_channel";
    public const string Shutdown = "shutdown";
}
